"""The tasks workers run, built from the stages' public functions: one article, or a few index pages.

    files -> parse -> anchor -> (its page, its exports) -> an ArticleResult and the rendered files

A task takes bytes and values and returns bytes and values: it reads and writes no file, so it runs
the same in this process, a local pool, or on another machine (a Dask cluster). The ArticleResult is
memoised under the article key (engine/memo.py); the page and exports it renders are not kept: they
were rendered with the registry as the build knew it when it started, and the build checks that the
entries they read are still the same before it uses them (else it renders them again).
"""

from __future__ import annotations

import pickle
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable

from .engine.memo import Memoised
from .engine.store import Store, content_hash
from .stages.articles import AnchoredArticle, anchor_article, replaced, targets_of, without_body
from .stages.claimants import NamedClaimant, article_claimants
from .stages.crossrefs import ArticleTargets, ContentLink
from .stages.content import ArticleFiles, parse_article
from .stages.diagnostics import Diagnostic
from .stages.exports import ArticleExport, article_export
from .stages.model import RegisteredClaimant, SiteConfig, Source
from .stages.pages import (ListEntry, Section, article_page, index_page, list_entries, listed_article, member_item,
                           member_slug, shown_source_ids)
from .stages.render import RenderedFile, environment_for, render_page
from .stages.resolve import ClaimantNames, Cited, Registry, check_source_kinds, cited
from .stages.theme import TemplateSet


@dataclass(frozen=True)
class RenderContext:
    """What a worker needs to render an article's page and exports as soon as it has anchored it."""

    registry: Registry  # as the build knew it when it started
    templates: TemplateSet
    templates_key: str
    has_search: bool


@dataclass(frozen=True)
class ArticleJob:
    files: ArticleFiles
    config: SiteConfig
    claimants: tuple[RegisteredClaimant, ...]  # content/claimants.yaml
    render: RenderContext | None  # None: only analyse (digest check)


@dataclass(frozen=True)
class ArticleResult:
    """One version of an article as anchored: the article without its text, and its text apart."""

    article: AnchoredArticle  # without its text (articles.without_body)
    body: bytes  # its rendered text (body_html), zlib-compressed

    def with_body(self) -> AnchoredArticle:
        """The article with its text, to render its page."""
        return replaced(self.article, body_html=zlib.decompress(self.body).decode("utf-8"))

    def listing(self) -> AnchoredArticle:
        return listed_article(self.article)


@dataclass(frozen=True)
class ArticleSummary:
    """What a build needs to know of a new or changed article: small, so a build keeps every one."""

    slug: str
    load_problems: tuple[Diagnostic, ...]
    anchor_problems: tuple[Diagnostic, ...]
    cited: Cited | None  # the ids of other files it names (None: it could not be read)
    built: bool  # it loaded and anchored without problems (the rest is empty otherwise)
    draft: bool = False
    entries: tuple[ListEntry, ...] = ()  # its places in the index lists
    listing_fingerprint: str = ""  # what index pages show of it
    local_sources: tuple[Source, ...] = ()
    counts: tuple[int, int, int] = (0, 0, 0)  # claims, caveats, annotations (claims and anchored caveats)
    shown_sources: tuple[str, ...] = ()  # the sources its page shows whole
    claim_topics: tuple[str, ...] = ()
    named: tuple[NamedClaimant, ...] = ()  # the claimants its claims name
    targets: ArticleTargets | None = None  # what links may point at in it
    links: tuple[ContentLink, ...] = ()  # its id links and relative links: checked against the digest

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        return self.load_problems + self.anchor_problems


@dataclass(frozen=True)
class StoredArticle:
    """What is memoised under an article key: the summary, and the result and its listing already
    pickled (the build stores them as they come, without unpickling them)."""

    summary: ArticleSummary
    result: bytes  # pickled ArticleResult (b"" if it did not build)
    listing: bytes  # pickled listed article: what index pages read

    def load(self) -> ArticleResult:
        return pickle.loads(self.result)


@dataclass(frozen=True)
class ArticleFilesOut:
    """The files a worker rendered for an article (None where it could not: the build renders them)."""

    page: RenderedFile | None
    export: ArticleExport | None


def article_chunk(jobs: list[ArticleJob]) -> list[tuple[Memoised[StoredArticle], ArticleFilesOut | None]]:
    """A few articles' tasks: a task for any Executor (arguments and results pickle)."""
    return [run_article(job) for job in jobs]


def run_article(job: ArticleJob) -> tuple[Memoised[StoredArticle], ArticleFilesOut | None]:
    summary, result = analyse(job.files, job.config, job.claimants)
    rendered = None
    if job.render is not None and result is not None:
        rendered = render_article(result.with_body(), job.render)
    stored = StoredArticle(summary, _pickled(result) if result else b"", _pickled(result.listing()) if result else b"")
    return Memoised(stored, summary.problems), rendered


def analyse(files: ArticleFiles, config: SiteConfig, claimants: tuple[RegisteredClaimant, ...] = ()
            ) -> tuple[ArticleSummary, ArticleResult | None]:
    """Parse and anchor one article (anchoring only if it parsed without problems)."""
    article, load_problems = parse_article(files)
    if article is None or load_problems:
        return ArticleSummary(files.slug, load_problems, (), cited(article) if article else None, False), None
    anchored, anchor_problems = anchor_article(article, config)
    named, naming_problems = article_claimants(article, claimants)
    anchor_problems += naming_problems + check_source_kinds(article.local_sources, config.source_kinds)
    if anchored is None or anchor_problems:  # its references are still checked, its own sources known
        return ArticleSummary(files.slug, load_problems, anchor_problems, cited(article), False,
                              local_sources=article.local_sources), None
    light = without_body(anchored)
    result = ArticleResult(light, zlib.compress(anchored.body_html.encode("utf-8"), 1))  # level 1: fast; HTML shrinks 3-4 times
    listing = result.listing()
    by_name = ClaimantNames(claimants)
    summary = ArticleSummary(
        files.slug, load_problems, anchor_problems, cited(article), True, article.draft,
        list_entries(light, lambda name: by_name.get(name)), content_hash(repr(listing)), article.local_sources,
        (len(light.claims), len(light.caveats), len(light.anchors)), tuple(sorted(shown_source_ids(light))),
        tuple(sorted({t for c in light.claims for t in c.claim.topic_ids})), named, targets_of(light),
        tuple(link for link in light.links if link.kind in ("id", "relative")))
    return summary, result


def _pickled(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def render_article(article: AnchoredArticle, context: RenderContext) -> ArticleFilesOut:
    """The article's page and exports, rendered with the registry in `context`; a file that needs an
    entry the registry does not have (yet) is left to the build."""
    registry = context.registry
    sources = {**registry.sources, **{s.id: s for s in article.article.local_sources if s.id not in registry.sources}}
    here = replace(registry, sources=sources)
    page = None
    try:
        page = render_page(environment_for(context.templates, context.templates_key), here, context.has_search,
                           article_page(article, sources))
    except Exception:  # noqa: BLE001 - the build renders the page again, and reports what is wrong
        page = None
    export = None
    if all(t in registry.topics for c in article.claims for t in c.claim.topic_ids):
        export = article_export(registry.config, registry.topics, registry.claimants, article)
    return ArticleFilesOut(page, export)


@dataclass(frozen=True)
class IndexJob:
    """One page of an index section: which members of its lists it shows, by article key."""

    section: Section
    number: int
    pages: int
    lists: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]  # (kind of item, list, ((member, article key), ...))
    extra: tuple[tuple[str, Any], ...] = ()  # what else the page shows (index_page's `extra`), made by the build
    reads: tuple[str, ...] = ()  # what the build read to make `extra`


def render_index(job: IndexJob, listing: Callable[[str], AnchoredArticle | None], context: RenderContext
                 ) -> tuple[RenderedFile, tuple[str, ...]] | None:
    """The page and what it read; None if an article's listing is not to be had here."""
    registry = context.registry
    items: dict[str, tuple] = {}
    slugs: set[str] = set()
    extra = dict(job.extra)
    for kind, name, members in job.lists:
        found = []
        for member, key in members:
            if not key:  # not an article's: made by the build (a claimant of the claimants' index)
                found.append(extra[member])
                continue
            article = listing(key)
            if article is None:
                return None
            found.append(member_item(kind, member, article))
            slugs.add(member_slug(member))
        items[name] = tuple(found)
    extra["updates"] = items.pop(LATEST_UPDATES_LIST, ())
    page = index_page(job.section, job.number, job.pages, items, registry.sources, registry.topics, extra)
    file = render_page(environment_for(context.templates, context.templates_key), registry, context.has_search, page)
    kind, _, entity = job.section.key.partition("/")
    reads = {"site", f"template:{page.template}", f"items:{job.section.key}:{job.number}", *job.reads,
             *(f"listing:{slug}" for slug in slugs), *lookup_names(file.lookups)}
    if kind in ("topic", "source"):
        reads.add(f"{kind}:{entity}")
    return file, tuple(sorted(reads))


LATEST_UPDATES_LIST = "latest-updates"  # the first page of home shows the newest members of "updates"
# The registries a page's look-ups are recorded for; claimants are not: claimants.yaml is in the site key.
_LOOKUP_NAMES = {"sources": "source", "topics": "topic", "targets": "targets"}


def lookup_names(lookups: tuple[tuple[str, str], ...]) -> list[str]:
    """The names of the registry entries a page's templates looked up ('source:x', 'topic:*', 'targets:slug')."""
    return [f"{_LOOKUP_NAMES[registry]}:{entry_id}" for registry, entry_id in lookups if registry in _LOOKUP_NAMES]


def index_chunk(store_path: str, code_version: str, context: RenderContext, jobs: list[IndexJob]
                ) -> list[tuple[str, bytes, tuple[str, ...]] | None]:
    """A few index pages, rendered in a worker of this machine that reads the listings from the store
    (committed by the build before it sends these): the page's bytes and reads, or None to leave it to the build."""
    store = _worker_store(store_path, code_version)
    done = []
    for job in jobs:
        rendered = render_index(job, lambda key: _stored_listing(store, key), context)
        # A worker has no article's targets: a page whose notes link into another article is the build's.
        if rendered is None or any(name.startswith("targets:") for name in rendered[1]):
            done.append(None)
        else:
            done.append((rendered[0].path, rendered[0].data, rendered[1]))
    return done


_stores: dict[str, Store] = {}


def _worker_store(path: str, code_version: str) -> Store:
    store = _stores.get(path)
    if store is None:
        store = _stores[path] = Store(Path(path), code_version)
    return store


def _stored_listing(store: Store, key: str) -> AnchoredArticle | None:
    found = store.get(f"listing:{key}")  # stored as the worker pickled it (index.py)
    found = pickle.loads(found) if isinstance(found, bytes) else None
    return found if isinstance(found, AnchoredArticle) else None
