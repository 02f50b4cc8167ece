"""Digest -> Pages: what each page of the site shows, decided before anything is rendered."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from . import citations, claimant_pages, updates, verdict_pages
from .cited import CitedCaveat, CitedClaim
from .citations import CitedDocument
from .model import Source, Topic
from .paths import (CLAIMANTS, DISCREPANCIES, HOME, NOT_FOUND, SEARCH, SOURCES, STATUSES, TOPICS,  # noqa: F401
                    UPDATES, UPDATES_FEED, article_url, claimant_url, source_url, status_url, topic_url)
from .resolve import AnchoredArticle, AnchoredCaveat, AnchoredClaim, Digest, replaced
from .sidenotes import NoteGroup, group_notes
from .updates import UpdateEvent

LATEST_UPDATES = 3  # on the home page


@dataclass(frozen=True)
class Page:
    path: str  # of the output file, relative to the output folder
    template: str
    title: str
    view: Any  # one of the *View types below
    links_from_site_root: bool = False  # 404.html is served at any URL, so its links cannot be relative


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
    updates: tuple[UpdateEvent, ...] = ()  # the latest verdict changes and corrections


@dataclass(frozen=True)
class ArticleView:
    article: AnchoredArticle
    compared: tuple[Source, ...]  # the sources its claims and discrepancies name, by id
    outlet: Source | None

    # Computed when the page renders: an incremental build plans every page but renders few.
    @functools.cached_property
    def comparison(self) -> Comparison:
        return compare_sources(self.article, {s.id: s for s in self.compared})

    @functools.cached_property
    def notes(self) -> tuple[NoteGroup, ...]:
        """The margin notes, by paragraph."""
        return group_notes(self.article)

    @functools.cached_property
    def updates(self) -> tuple[UpdateEvent, ...]:
        """What changed since the article was published, newest first: its "Updated" notice."""
        return updates.since_publication(self.article)


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
    documents: tuple[CitedDocument, ...] = ()  # its documents that claims and caveats cite


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
    # Index pages list articles without their text: a page's inputs (see graph.py) are what it
    # can show, so editing an article's text re-renders its own page and no index.
    listed = tuple(listed_article(a) for a in digest.articles)
    topic_entries = _topic_entries(digest.topics, listed)
    source_entries = _source_entries(digest.sources, listed)
    events = updates.newest_first(e for a in listed for e in updates.update_events(a))
    pages = [Page("index.html", "home.html", digest.config.title, HomeView(listed, events[:LATEST_UPDATES]))]
    pages.extend(article_page(article, sources) for article in digest.articles)
    pages.append(Page(f"{TOPICS}index.html", "topics.html", "Topics", TopicIndexView(tuple(topic_entries))))
    pages.extend(Page(f"{topic_url(e.topic.id)}index.html", "topic.html", e.topic.title, e) for e in topic_entries)
    pages.append(Page(f"{SOURCES}index.html", "sources.html", "Sources", SourceIndexView(tuple(source_entries))))
    pages.extend(Page(f"{source_url(e.source.id)}index.html", "source.html", e.source.name, e) for e in source_entries)
    discrepancies = tuple(CitedCaveat(a, c, "subject") for a in listed for c in a.caveats
                          if c.caveat.is_discrepancy)
    pages.append(Page(f"{DISCREPANCIES}index.html", "discrepancies.html", "Discrepancies between sources",
                      DiscrepancyView(discrepancies)))
    pages.extend(_claimant_and_verdict_pages(digest, listed))
    pages.append(Page(f"{UPDATES}index.html", "updates.html", "Updates", updates.UpdatesView(events)))
    if search:
        pages.append(Page(f"{SEARCH}index.html", "search.html", "Search", SearchView()))
    pages.append(Page(NOT_FOUND, "404.html", "Not found", NotFoundView(), links_from_site_root=True))
    return pages


def _claimant_and_verdict_pages(digest: Digest, listed: tuple[AnchoredArticle, ...]) -> list[Page]:
    statuses = digest.config.statuses
    claimants = claimant_pages.claimant_entries(
        digest.claimants, (item for a in listed for item in claimant_pages.claimant_items(a, digest.claimants)), statuses)
    verdicts = verdict_pages.status_entries(statuses, (item for a in listed for item in verdict_pages.status_items(a)))
    return [Page(f"{CLAIMANTS}index.html", "claimants.html", "Claimants", claimant_pages.claimant_index(claimants, statuses)),
            *(Page(f"{claimant_url(e.claimant.slug)}index.html", "claimant.html", e.claimant.name, e) for e in claimants),
            Page(f"{STATUSES}index.html", "statuses.html", "Verdicts", verdict_pages.status_index(verdicts)),
            *(Page(f"{status_url(e.status.id)}index.html", "status.html", e.status.label, e) for e in verdicts)]


def article_page(article: AnchoredArticle, sources: dict[str, Source]) -> Page:
    """An article's page; `sources` must hold every source the article names."""
    outlet = sources[article.article.source.id] if article.article.source else None
    compared = tuple(sources[sid] for sid in sorted(compared_ids(article)))
    return Page(f"{article_url(article.slug)}index.html", "article.html", article.article.title,
                ArticleView(article, compared, outlet))


def listed_article(article: AnchoredArticle) -> AnchoredArticle:
    """The article as index pages see it: everything but its text."""
    return replaced(article, article=replaced(article.article, body=""), body_html="", anchors={}, blocks=0, links=())


def compared_ids(article: AnchoredArticle) -> set[str]:
    """The sources compare_sources() shows for an article."""
    involved = {sid for c in article.claims for sid in c.claim.source_ids}
    return involved | {sid for c in article.caveats if c.caveat.is_discrepancy for sid in c.caveat.source_ids}


def compare_sources(article: AnchoredArticle, sources: dict[str, Source]) -> Comparison:
    """Claims x sources: does each source report, omit or contradict each claim?"""
    columns = tuple(sorted((sources[sid] for sid in compared_ids(article)), key=lambda s: (s.name.lower(), s.id)))
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


def _topic_entries(topics: tuple[Topic, ...], articles: tuple[AnchoredArticle, ...]) -> list[TopicEntry]:
    """Per topic: the articles tagged with it or with a claim tagged with it, and those claims."""
    # One pass over the articles, not one per topic: the digest may hold tens of thousands.
    claims: dict[str, list[CitedClaim]] = {t.id: [] for t in topics}
    tagged: dict[str, list[AnchoredArticle]] = {t.id: [] for t in topics}
    for article in articles:
        article_topics = set(article.article.topic_ids)
        for claim in article.claims:
            for topic_id in dict.fromkeys(claim.claim.topic_ids):
                claims.setdefault(topic_id, []).append(CitedClaim(article, claim))
                article_topics.add(topic_id)
        for topic_id in article_topics:
            tagged.setdefault(topic_id, []).append(article)
    return [TopicEntry(t, tuple(tagged[t.id]), tuple(claims[t.id])) for t in topics]


def _source_entries(sources: tuple[Source, ...], articles: tuple[AnchoredArticle, ...]) -> list[SourceEntry]:
    """Per source: the claims citing it, the caveats about or noted by it, the articles it published."""
    claims: dict[str, list[CitedClaim]] = {s.id: [] for s in sources}
    caveats: dict[str, list[CitedCaveat]] = {s.id: [] for s in sources}
    published: dict[str, list[AnchoredArticle]] = {s.id: [] for s in sources}
    documents = citations.documents_by_source(item for a in articles for item in citations.document_items(a))
    for article in articles:
        for claim in article.claims:
            for source_id in dict.fromkeys(claim.claim.source_ids):
                claims.setdefault(source_id, []).append(CitedClaim(article, claim))
        for caveat in article.caveats:
            subjects = set(caveat.caveat.source_ids)
            for source_id in dict.fromkeys(caveat.caveat.source_ids + caveat.caveat.noted_by_ids):
                role = "subject" if source_id in subjects else "noted by"
                caveats.setdefault(source_id, []).append(CitedCaveat(article, caveat, role))
        if article.article.source:
            published.setdefault(article.article.source.id, []).append(article)
    return [SourceEntry(s, tuple(claims[s.id]), tuple(caveats[s.id]), tuple(published[s.id]), documents.get(s.id, ()))
            for s in sources]
