"""Per-article results of loading and anchoring, reused by article key, computed in parallel when new.

Loading an article (content.py) and anchoring it (resolve.py) depend only on its two files, the
config and the code: the article key (graph.py) hashes exactly those. `ArticleMemo` wraps the two
per-article functions that load_content() and resolve() call, so both stages run as before over
every article (cross-file checks included) while each article's own work is done once per key.
The diagnostics an article produced are stored with its results and replayed on every build.

An entry keeps the article without its text; the rendered body is stored apart (compressed, under
`body:<key>`) and read only for the pages a build renders, so a rebuild loads little of the cache.

`prewarm` computes the missing entries up front, in chunks on an Executor: the cold build's cost.
Given a PageRender, the worker that anchors an article also renders its page at once and puts it
into the staging folder, under the page key it would have (graph.py); the build uses that file if
the page it plans has the same key, and renders the page itself otherwise. The worker makes the
article's share of the exports too. So a cold build sends no article text between processes.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from .stages import content, resolve
from .engine.store import BuildCache
from .stages.diagnostics import Collector, Diagnostic
from .stages.exports import ArticleExport, article_export
from .graph import listing_key
from .stages.model import Article, RegisteredClaimant, SiteConfig, Source, Topic
from .engine.parallel import ordered_map
from .stages.resolve import AnchoredArticle, Digest, without_body

CHUNK = 16  # articles per task: large enough to amortise pickling, small enough to spread


@dataclass(frozen=True)
class PageRender:
    """What a worker needs to render an article's page as soon as it has anchored the article."""
    site_templates: str | None
    templates_key: str
    config: SiteConfig
    sources: dict[str, Source]  # content/sources.yaml (an article adds its own)
    topics: dict[str, Topic]
    has_search: bool
    site_key: str
    template_key: str  # of article.html
    out: str
    staging: str  # prepared (output.prepare_staging)
    claimants: tuple[RegisteredClaimant, ...] = ()  # content/claimants.yaml


@dataclass(frozen=True)
class PlacedPage:
    path: str
    key: str  # the page key it was rendered under
    lookups: tuple[tuple[str, str], ...]  # as RenderedFile.lookups
    written: bool  # its bytes differ from the output's (output.place_file)


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
        self.placed: dict[str, PlacedPage] = {}  # slug -> its page, rendered by prewarm
        self.shares: dict[str, ArticleExport] = {}  # slug -> its share of the exports, made by prewarm

    def prewarm(self, root: Path, executor: Executor | None, min_parallel: int, render: PageRender | None = None) -> None:
        """Load every cached entry; compute the others (in parallel when there are enough of them),
        rendering their pages too if `render` is given."""
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
        chunks = [[(slug, has_annotations[slug], self.keys[slug]) for slug in missing[i:i + CHUNK]]
                  for i in range(0, len(missing), CHUNK)]
        run_on = executor if executor is not None and len(missing) >= min_parallel else None
        for results in ordered_map(run_on, _article_chunk, [(root, config, chunk, render) for chunk in chunks]):
            for slug, entry, body, placed, share in results:
                self._store(slug, entry, body)
                if placed is not None:
                    self.placed[slug] = placed
                if share is not None:
                    self.shares[slug] = share

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


def _article_chunk(root: Path, config: SiteConfig, chunk: list[tuple[str, bool, str]], render: PageRender | None
                   ) -> list[tuple[str, ArticleEntry, bytes | None, PlacedPage | None, ArticleExport | None]]:
    """Load and anchor a few articles, and if `render` is given render their pages and make their
    shares of the exports: a task for any Executor (arguments and result pickle)."""
    results = []
    for slug, has_annotations, article_key in chunk:
        loading = Collector()
        article = content._load_article(root, slug, has_annotations, loading)
        entry, body, placed, share = ArticleEntry(article, tuple(loading.diagnostics)), None, None, None
        if article is not None:
            anchoring = Collector()
            anchored = resolve._anchor_article(article, config, anchoring)
            entry, body = _complete(entry, anchored, anchoring)
            if render is not None and anchored is not None and not loading.diagnostics and not anchoring.diagnostics:
                placed = _place_page(anchored, entry.anchored, article_key, render)
                if all(t in render.topics for c in anchored.claims for t in c.claim.topic_ids):  # else it fails to resolve
                    share = article_export(Digest(render.config, (), (), tuple(render.topics.values())), entry.anchored)
        results.append((slug, entry, body, placed, share))
    return results


def _place_page(full: AnchoredArticle, light: AnchoredArticle, article_key: str, render: PageRender) -> PlacedPage | None:
    """Render the article's page into the staging folder, as the build would; None where this
    process cannot know what the build will see (a source defined in another article's file)."""
    from .graph import PageKeys
    from .stages.claimants import claimant_names, registered_names
    from .stages.output import place_file
    from .stages.pages import article_page, compared_ids
    from .stages.render import EVERYTHING, environment_for, render_page

    sources = {**render.sources, **{s.id: s for s in full.article.local_sources if s.id not in render.sources}}
    # What the build's registries hold for this article alone: its claimants, its own link targets.
    desk = {"claimants": claimant_names(full.article.claims, registered_names(render.claimants)),
            "targets": {light.slug: resolve.targets_of(light)}}
    registries = {"sources": sources, "topics": render.topics, **desk}
    shown = compared_ids(full) | ({full.article.source.id} if full.article.source else set())
    if not shown <= sources.keys():
        return None
    page = article_page(Digest.with_body_of(light, full.body_html), sources)
    try:
        file = render_page(environment_for(render.site_templates, render.templates_key), render.config, sources,
                           render.topics, render.has_search, page, desk)
    except Exception:  # noqa: BLE001 - the build renders the page again and reports the problem
        return None
    if any(entry_id == EVERYTHING or entry_id not in registries[registry] for registry, entry_id in file.lookups):
        return None  # it read a registry as a whole, or an id only the build may know
    key = PageKeys(render.site_key, {page.template: render.template_key}, {light.slug: article_key}, {}).key(page)
    return PlacedPage(page.path, key, file.lookups, place_file(render.out, render.staging, page.path, file.data))
