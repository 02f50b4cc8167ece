"""Digest -> Pages: what each page of the site shows, decided before anything is rendered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .model import Source, Topic
from .resolve import AnchoredArticle, AnchoredCaveat, AnchoredClaim, Digest
from .sidenotes import NoteGroup, group_notes

HOME = ""
TOPICS = "topics/"
SOURCES = "sources/"
DISCREPANCIES = "discrepancies/"
SEARCH = "search/"
NOT_FOUND = "404.html"


def article_url(slug: str) -> str:
    return f"articles/{slug}/"


def topic_url(topic_id: str) -> str:
    return f"topics/{topic_id}/"


def source_url(source_id: str) -> str:
    return f"sources/{source_id}/"


@dataclass(frozen=True)
class Page:
    path: str  # of the output file, relative to the output folder
    template: str
    title: str
    view: Any  # one of the *View types below
    links_from_site_root: bool = False  # 404.html is served at any URL, so its links cannot be relative


@dataclass(frozen=True)
class CitedClaim:
    article: AnchoredArticle
    claim: AnchoredClaim


@dataclass(frozen=True)
class CitedCaveat:
    article: AnchoredArticle
    caveat: AnchoredCaveat
    role: str  # "subject" (the caveat is about the source) or "noted by"


@dataclass(frozen=True)
class Cell:
    verdict: str  # reports | omits | contradicts | none
    caveat: AnchoredCaveat | None = None


@dataclass(frozen=True)
class ComparisonRow:
    claim: AnchoredClaim
    cells: tuple[Cell, ...]  # one per column


@dataclass(frozen=True)
class Comparison:
    sources: tuple[Source, ...]
    rows: tuple[ComparisonRow, ...]


@dataclass(frozen=True)
class HomeView:
    articles: tuple[AnchoredArticle, ...]


@dataclass(frozen=True)
class ArticleView:
    article: AnchoredArticle
    comparison: Comparison
    outlet: Source | None
    notes: tuple[NoteGroup, ...] = ()  # the margin notes, by paragraph


@dataclass(frozen=True)
class TopicEntry:
    topic: Topic
    articles: tuple[AnchoredArticle, ...]
    claims: tuple[CitedClaim, ...]


@dataclass(frozen=True)
class TopicIndexView:
    entries: tuple[TopicEntry, ...]


@dataclass(frozen=True)
class SourceEntry:
    source: Source
    claims: tuple[CitedClaim, ...]
    caveats: tuple[CitedCaveat, ...]
    articles: tuple[AnchoredArticle, ...]  # articles whose text comes from this outlet


@dataclass(frozen=True)
class SourceIndexView:
    entries: tuple[SourceEntry, ...]


@dataclass(frozen=True)
class SearchView:
    pass


@dataclass(frozen=True)
class NotFoundView:
    pass


@dataclass(frozen=True)
class DiscrepancyView:
    caveats: tuple[CitedCaveat, ...]  # omissions and contradictions, newest article first


def plan_pages(digest: Digest, search: bool = True) -> list[Page]:
    """Every page of the site, in a stable order; the search page only when a search index is built."""
    sources = {s.id: s for s in digest.sources}
    topic_entries = [_topic_entry(topic, digest) for topic in digest.topics]
    source_entries = [_source_entry(source, digest) for source in digest.sources]
    pages = [Page("index.html", "home.html", digest.config.title, HomeView(digest.articles))]
    for article in digest.articles:
        outlet = sources[article.article.source.id] if article.article.source else None
        pages.append(Page(f"{article_url(article.slug)}index.html", "article.html", article.article.title,
                          ArticleView(article, compare_sources(article, sources), outlet, group_notes(article))))
    pages.append(Page(f"{TOPICS}index.html", "topics.html", "Topics", TopicIndexView(tuple(topic_entries))))
    pages.extend(Page(f"{topic_url(e.topic.id)}index.html", "topic.html", e.topic.title, e) for e in topic_entries)
    pages.append(Page(f"{SOURCES}index.html", "sources.html", "Sources", SourceIndexView(tuple(source_entries))))
    pages.extend(Page(f"{source_url(e.source.id)}index.html", "source.html", e.source.name, e) for e in source_entries)
    discrepancies = tuple(CitedCaveat(a, c, "subject") for a in digest.articles for c in a.caveats
                          if c.caveat.is_discrepancy)
    pages.append(Page(f"{DISCREPANCIES}index.html", "discrepancies.html", "Discrepancies between sources",
                      DiscrepancyView(discrepancies)))
    if search:
        pages.append(Page(f"{SEARCH}index.html", "search.html", "Search", SearchView()))
    pages.append(Page(NOT_FOUND, "404.html", "Not found", NotFoundView(), links_from_site_root=True))
    return pages


def compare_sources(article: AnchoredArticle, sources: dict[str, Source]) -> Comparison:
    """Claims x sources: does each source report, omit or contradict each claim?"""
    involved = {sid for c in article.claims for sid in c.claim.source_ids}
    involved |= {sid for c in article.caveats if c.caveat.is_discrepancy for sid in c.caveat.source_ids}
    columns = tuple(sorted((sources[sid] for sid in involved), key=lambda s: (s.name.lower(), s.id)))
    rows = []
    for claim in article.claims:
        verdicts: dict[str, Cell] = {sid: Cell("reports") for sid in claim.claim.source_ids}
        # A caveat outranks the claim's own list: a source named as omitting a claim does not report it.
        for kind in ("omission", "contradiction"):
            for caveat in article.caveats_of(claim.claim.id):
                if caveat.caveat.kind == kind:
                    for sid in caveat.caveat.source_ids:
                        verdicts[sid] = Cell("omits" if kind == "omission" else "contradicts", caveat)
        rows.append(ComparisonRow(claim, tuple(verdicts.get(s.id, Cell("none")) for s in columns)))
    return Comparison(columns, tuple(rows))


def _topic_entry(topic: Topic, digest: Digest) -> TopicEntry:
    claims = tuple(CitedClaim(a, c) for a in digest.articles for c in a.claims if topic.id in c.claim.topic_ids)
    articles = tuple(a for a in digest.articles
                     if topic.id in a.article.topic_ids or any(c.article is a for c in claims))
    return TopicEntry(topic, articles, claims)


def _source_entry(source: Source, digest: Digest) -> SourceEntry:
    claims = tuple(CitedClaim(a, c) for a in digest.articles for c in a.claims if source.id in c.claim.source_ids)
    caveats: list[CitedCaveat] = []
    for article in digest.articles:
        for caveat in article.caveats:
            if source.id in caveat.caveat.source_ids:
                caveats.append(CitedCaveat(article, caveat, "subject"))
            elif source.id in caveat.caveat.noted_by_ids:
                caveats.append(CitedCaveat(article, caveat, "noted by"))
    articles = tuple(a for a in digest.articles if a.article.source and a.article.source.id == source.id)
    return SourceEntry(source, claims, tuple(caveats), articles)
