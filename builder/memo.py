"""Per-article results of loading and anchoring, reused by article key, computed in parallel when new.

Loading an article (content.py) and anchoring it (resolve.py) depend only on its two files, the
config and the code: the article key (graph.py) hashes exactly those. `ArticleMemo` wraps the two
per-article functions that load_content() and resolve() call, so both stages run as before over
every article (cross-file checks included) while each article's own work is done once per key.
The diagnostics an article produced are stored with its results and replayed on every build.

`prewarm` computes the missing entries up front, in chunks on an Executor: the cold build's cost.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from . import content, resolve
from .cache import BuildCache
from .diagnostics import Collector, Diagnostic
from .graph import listing_key
from .model import Article, SiteConfig
from .parallel import ordered_map
from .resolve import AnchoredArticle

CHUNK = 16  # articles per task: large enough to amortise pickling, small enough to spread


@dataclass(frozen=True)
class ArticleEntry:
    article: Article | None
    load_diagnostics: tuple[Diagnostic, ...]
    anchored: AnchoredArticle | None = None
    anchor_diagnostics: tuple[Diagnostic, ...] = ()
    listing_key: str = ""
    complete: bool = False  # False: only loaded, not yet anchored


class ArticleMemo:
    """The article cache of one build: slug -> key -> entry."""

    def __init__(self, cache: BuildCache, article_keys: dict[str, str]) -> None:
        self.cache = cache
        self.keys = article_keys
        self.entries: dict[str, ArticleEntry] = {}  # by slug, for this build

    def prewarm(self, root: Path, executor: Executor | None, min_parallel: int) -> None:
        """Load every cached entry; compute the others (in parallel when there are enough of them)."""
        stored = self.cache.get_many(f"article:{key}" for key in self.keys.values())
        missing = []
        for slug, key in sorted(self.keys.items()):
            entry = stored.get(f"article:{key}")
            if isinstance(entry, ArticleEntry) and entry.complete:
                self.entries[slug] = entry
            else:
                missing.append(slug)
        if not missing:
            return
        config = content._load_config(root, Collector())
        if config is None:
            return  # load_content() reports the config's problems
        has_annotations = {slug: (root / content.ARTICLES_DIR / f"{slug}.yaml").is_file() for slug in missing}
        chunks = [[(slug, has_annotations[slug]) for slug in missing[i:i + CHUNK]] for i in range(0, len(missing), CHUNK)]
        run_on = executor if executor is not None and len(missing) >= min_parallel else None
        for results in ordered_map(run_on, _article_chunk, [(root, config, chunk) for chunk in chunks]):
            for slug, entry in results:
                self._store(slug, entry)

    def load_article(self, load: Callable) -> Callable:
        """content._load_article, served from the memo when the article's files are unchanged."""
        def cached_load(root: Path, slug: str, has_annotations: bool, problems: Collector) -> Article | None:
            entry = self.entries.get(slug)
            if entry is None:
                check = Collector()
                entry = ArticleEntry(load(root, slug, has_annotations, check), tuple(check.diagnostics))
                self.entries[slug] = entry
            problems.diagnostics.extend(entry.load_diagnostics)
            return entry.article
        return cached_load

    def anchor_article(self, anchor: Callable) -> Callable:
        """resolve._anchor_article, served from the memo for an article this memo loaded."""
        def cached_anchor(article: Article, config: SiteConfig, problems: Collector) -> AnchoredArticle | None:
            entry = self.entries.get(article.slug)
            if entry is None or entry.article is not article:
                return anchor(article, config, problems)
            if not entry.complete:
                check = Collector()
                anchored = anchor(article, config, check)
                entry = _complete(entry, anchored, check)
                self._store(article.slug, entry)
            problems.diagnostics.extend(entry.anchor_diagnostics)
            return entry.anchored
        return cached_anchor

    def listing_keys(self) -> dict[str, str]:
        """slug -> listing key (graph.py) of every article loaded and anchored without errors."""
        return {slug: entry.listing_key for slug, entry in self.entries.items() if entry.complete}

    def _store(self, slug: str, entry: ArticleEntry) -> None:
        self.entries[slug] = entry
        key = self.keys.get(slug)
        if key is not None:
            self.cache.put(f"article:{key}", entry)

    def stored_names(self) -> set[str]:
        """The cache entries this build uses: the others are dropped when the cache is written."""
        return {f"article:{key}" for key in self.keys.values()}


def _complete(entry: ArticleEntry, anchored: AnchoredArticle | None, check: Collector) -> ArticleEntry:
    return ArticleEntry(entry.article, entry.load_diagnostics, anchored, tuple(check.diagnostics),
                        listing_key(anchored) if anchored is not None else "", complete=True)


def _article_chunk(root: Path, config: SiteConfig, chunk: list[tuple[str, bool]]) -> list[tuple[str, ArticleEntry]]:
    """Load and anchor a few articles: a task for any Executor (arguments and result pickle)."""
    results = []
    for slug, has_annotations in chunk:
        loading = Collector()
        article = content._load_article(root, slug, has_annotations, loading)
        entry = ArticleEntry(article, tuple(loading.diagnostics))
        if article is not None:
            anchoring = Collector()
            entry = _complete(entry, resolve._anchor_article(article, config, anchoring), anchoring)
        results.append((slug, entry))
    return results
