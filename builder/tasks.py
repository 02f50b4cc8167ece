"""The per-article task: what a worker does with one article, built from the stages' public functions.

    files -> parse -> anchor -> (its page, its exports) -> an ArticleResult and the rendered files

A task takes bytes and values and returns bytes and values: it reads and writes no file, so it runs
the same in this process, a local pool, or on another machine (a Dask cluster). The ArticleResult is
memoised under the article key (engine/memo.py); the page and exports it renders are not kept: they
were rendered with the registry as the build knew it when it started, and the build checks that the
entries they read are still the same before it uses them (else it renders them again).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from .engine.memo import Memoised
from .engine.store import content_hash
from .stages.articles import AnchoredArticle, anchor_article, replaced, without_body
from .stages.content import ArticleFiles, parse_article
from .stages.diagnostics import Diagnostic
from .stages.exports import ArticleExport, article_export
from .stages.model import SiteConfig
from .stages.pages import ListEntry, article_page, list_entries, listed_article
from .stages.render import RenderedFile, environment_for, render_page
from .stages.resolve import Cited, Registry, cited
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
    render: RenderContext | None  # None: only analyse (digest check)


@dataclass(frozen=True)
class ArticleResult:
    """What is kept of one version of an article (memoised under its article key)."""

    article: AnchoredArticle | None  # without its text (articles.without_body); None if it does not build
    body: bytes  # its rendered text (body_html), zlib-compressed
    cited: Cited | None  # the ids of other files it names, to check against the registry
    entries: tuple[ListEntry, ...]  # its places in the index lists
    listing_fingerprint: str  # what index pages show of it
    load_problems: tuple[Diagnostic, ...]
    anchor_problems: tuple[Diagnostic, ...]

    @property
    def problems(self) -> tuple[Diagnostic, ...]:
        return self.load_problems + self.anchor_problems

    def with_body(self) -> AnchoredArticle:
        """The article with its text, to render its page."""
        assert self.article is not None
        return replaced(self.article, body_html=zlib.decompress(self.body).decode("utf-8"))

    def listing(self) -> AnchoredArticle:
        assert self.article is not None
        return listed_article(self.article)


@dataclass(frozen=True)
class ArticleFilesOut:
    """The files a worker rendered for an article (None where it could not: the build renders them)."""

    page: RenderedFile | None
    export: ArticleExport | None


def article_chunk(jobs: list[ArticleJob]) -> list[tuple[Memoised[ArticleResult], ArticleFilesOut | None]]:
    """A few articles' tasks: a task for any Executor (arguments and results pickle)."""
    return [run_article(job) for job in jobs]


def run_article(job: ArticleJob) -> tuple[Memoised[ArticleResult], ArticleFilesOut | None]:
    result = analyse(job.files, job.config)
    rendered = None
    if job.render is not None and result.article is not None and not result.problems:
        rendered = render_article(result.with_body(), job.render)
    return Memoised(result, result.problems), rendered


def analyse(files: ArticleFiles, config: SiteConfig) -> ArticleResult:
    """Parse and anchor one article (anchoring only if it parsed without problems)."""
    article, load_problems = parse_article(files)
    if article is None or load_problems:
        return ArticleResult(None, b"", cited(article) if article else None, (), "", load_problems, ())
    anchored, anchor_problems = anchor_article(article, config)
    if anchored is None:
        return ArticleResult(None, b"", cited(article), (), "", load_problems, anchor_problems)
    light = without_body(anchored)
    body = zlib.compress(anchored.body_html.encode("utf-8"), 1)  # level 1: fast, and HTML shrinks 3-4 times
    listing = listed_article(light)
    return ArticleResult(light, body, cited(article), list_entries(light), content_hash(repr(listing)),
                         load_problems, anchor_problems)


def render_article(article: AnchoredArticle, context: RenderContext) -> ArticleFilesOut:
    """The article's page and exports, rendered with the registry in `context`; a file that needs an
    entry the registry does not have (yet) is left to the build."""
    registry = context.registry
    sources = {**registry.sources, **{s.id: s for s in article.article.local_sources if s.id not in registry.sources}}
    here = Registry(registry.config, sources, registry.topics)
    page = None
    try:
        page = render_page(environment_for(context.templates, context.templates_key), here, context.has_search,
                           article_page(article, sources))
    except Exception:  # noqa: BLE001 - the build renders the page again, and reports what is wrong
        page = None
    export = None
    if all(t in registry.topics for c in article.claims for t in c.claim.topic_ids):
        export = article_export(registry.config, registry.topics, article)
    return ArticleFilesOut(page, export)
