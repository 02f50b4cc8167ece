"""Per-article results of loading and anchoring, reused by article key, computed in parallel when new.

Loading an article (content.py) and anchoring it (resolve.py) depend only on its two files, the
config and the code: the article key (graph.py) hashes exactly those. `ArticleMemo` wraps the two
per-article functions that load_content() and resolve() call, so both stages run as before over
every article (cross-file checks included) while each article's own work is done once per key.
The diagnostics an article produced are stored with its results and replayed on every build.

An entry keeps the article without its text; the rendered body is stored apart (compressed, under
`body:<key>`) and read only for the pages a build renders, so a rebuild loads little of the cache.

`prewarm` computes the missing entries up front, in chunks on an Executor: the cold build's cost.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from . import content, resolve
from .cache import BuildCache
from .diagnostics import Collector, Diagnostic
from .graph import listing_key
from .model import Article, SiteConfig
from .parallel import ordered_map
from .resolve import AnchoredArticle, without_body

CHUNK = 16  # articles per task: large enough to amortise pickling, small enough to spread


@dataclass(frozen=True)
class ArticleEntry:
    article: Article | None  # without its body once complete
    load_diagnostics: tuple[Diagnostic, ...]
    anchored: AnchoredArticle | None = None  # without its body (resolve.without_body)
    anchor_diagnostics: tuple[Diagnostic, ...] = ()
    listing_key: str = ""
    complete: bool = False  # False: only loaded, not yet anchored


class ArticleMemo:
    """The article cache of one build: slug -> key -> entry."""

    def __init__(self, cache: BuildCache, article_keys: dict[str, str]) -> None:
        self.cache = cache
        self.keys = article_keys
        self.entries: dict[str, ArticleEntry] = {}  # by slug, for this build
        self.new_bodies: dict[str, bytes] = {}  # slug -> compressed body_html computed by this build

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
            for slug, entry, body in results:
                self._store(slug, entry, body)

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
                entry, body = _complete(entry, anchor(article, config, check), check)
                self._store(article.slug, entry, body)
            problems.diagnostics.extend(entry.anchor_diagnostics)
            return entry.anchored
        return cached_anchor

    def listing_keys(self) -> dict[str, str]:
        """slug -> listing key (graph.py) of every article loaded and anchored without errors."""
        return {slug: entry.listing_key for slug, entry in self.entries.items() if entry.complete}

    def _store(self, slug: str, entry: ArticleEntry, body: bytes | None) -> None:
        self.entries[slug] = entry
        if body is not None:
            self.new_bodies[slug] = body
        key = self.keys.get(slug)
        if key is not None:
            self.cache.put(f"article:{key}", entry)
            if body is not None:
                self.cache.put(f"body:{key}", body)

    def bodies(self) -> Mapping[str, str]:
        """slug -> body_html of every article anchored without errors, read when asked for."""
        return _Bodies(self)

    def stored_names(self) -> set[str]:
        """The cache entries this build uses: the others are dropped when the cache is written."""
        return {f"{kind}:{key}" for key in self.keys.values() for kind in ("article", "body")}


class _Bodies(Mapping):
    def __init__(self, memo: ArticleMemo) -> None:
        self.memo = memo

    def __getitem__(self, slug: str) -> str:
        body = self.memo.new_bodies.get(slug)
        if body is None and slug in self.memo.keys:
            body = self.memo.cache.get(f"body:{self.memo.keys[slug]}")
        if not isinstance(body, bytes):
            # Only if the cache lost it since this build read the entry: nothing to render from.
            raise KeyError(slug)
        return zlib.decompress(body).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return iter(slug for slug, entry in self.memo.entries.items() if entry.anchored is not None)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _complete(entry: ArticleEntry, anchored: AnchoredArticle | None, check: Collector) -> tuple[ArticleEntry, bytes | None]:
    """The finished entry (the article without its text) and the compressed body_html."""
    if anchored is None:
        return ArticleEntry(entry.article, entry.load_diagnostics, None, tuple(check.diagnostics), "", complete=True), None
    light = without_body(anchored)
    body = zlib.compress(anchored.body_html.encode("utf-8"), 1)  # level 1: fast, and HTML shrinks 3-4 times
    return ArticleEntry(light.article, entry.load_diagnostics, light, tuple(check.diagnostics),
                        listing_key(light), complete=True), body


def _article_chunk(root: Path, config: SiteConfig, chunk: list[tuple[str, bool]]) -> list[tuple[str, ArticleEntry, bytes | None]]:
    """Load and anchor a few articles: a task for any Executor (arguments and result pickle)."""
    results = []
    for slug, has_annotations in chunk:
        loading = Collector()
        article = content._load_article(root, slug, has_annotations, loading)
        entry, body = ArticleEntry(article, tuple(loading.diagnostics)), None
        if article is not None:
            anchoring = Collector()
            entry, body = _complete(entry, resolve._anchor_article(article, config, anchoring), anchoring)
        results.append((slug, entry, body))
    return results
