"""What each page of the site shows, decided before anything is rendered.

An article's page shows the article. Index pages (home, topics, sources, discrepancies, claimants,
verdicts, updates) show lists gathered from every article: each article says where its items go
(`list_entries`: which list, at which sort key), and a list is shown a page at a time
(`Pagination`). So an index page is planned from the few members it shows, never from the whole
digest, and a rebuild plans in proportion to what changed.

Pagination counts from the oldest end: every page but the first holds exactly `size` items, and the
first (the newest) holds the rest, between `size` and twice as many. A new article then changes the
first page of each list it joins, not every page after it; the pages are renumbered only when a
list grows by a whole page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Iterable, NamedTuple

from . import citations, updates
from .articles import AnchoredArticle, AnchoredCaveat, AnchoredClaim, replaced
from .cited import CitedCaveat, CitedClaim
from .citations import CitedDocument
from .claimants import Claimant
from .model import SiteConfig, Source, Status, Topic
from .paths import (CLAIMANTS, DISCREPANCIES, HOME, NOT_FOUND, SEARCH, SOURCES, STATUSES, TOPICS,  # noqa: F401
                    UPDATES, UPDATES_FEED, article_url, claimant_url, source_url, status_url, topic_url)
from .sidenotes import NoteGroup, group_notes
from .updates import UpdateEvent
from .verdicts import VerdictCount

LATEST_UPDATES = 3  # on the home page


@dataclass(frozen=True)
class Page:
    path: str  # of the output file, relative to the output folder
    template: str
    title: str
    view: Any  # one of the *View types below
    links_from_site_root: bool = False  # 404.html is served at any URL, so its links cannot be relative


# Views: what a template gets as `view`.

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
class PageLink:
    number: int
    path: str  # site path of that page ('topics/trade/page/2/')


@dataclass(frozen=True)
class Pagination:
    """Where a page is among the pages of its index: for the numbered navigation and rel=prev/next."""

    number: int  # 1-based
    count: int
    links: tuple[PageLink | None, ...]  # the numbers to show; None stands for a gap (…)
    previous: PageLink | None
    next: PageLink | None


@dataclass(frozen=True)
class HomeView:
    articles: tuple[AnchoredArticle, ...]
    pagination: Pagination
    updates: tuple[UpdateEvent, ...] = ()  # the latest verdict changes and corrections (on the first page)


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
class TopicView:
    topic: Topic
    articles: tuple[AnchoredArticle, ...]  # this page's share of them
    claims: tuple[CitedClaim, ...]
    pagination: Pagination


@dataclass(frozen=True)
class TopicCount:
    topic: Topic
    articles: int  # how many in all, on every page
    claims: int


@dataclass(frozen=True)
class TopicIndexView:
    entries: tuple[TopicCount, ...]


@dataclass(frozen=True)
class SourceView:
    source: Source
    claims: tuple[CitedClaim, ...]  # this page's share of them
    caveats: tuple[CitedCaveat, ...]
    articles: tuple[AnchoredArticle, ...]  # articles whose text comes from this outlet
    pagination: Pagination
    documents: tuple[CitedDocument, ...] = ()  # its documents that claims and caveats cite


@dataclass(frozen=True)
class SourceCount:
    source: Source
    claims: int
    caveats: int


@dataclass(frozen=True)
class SourceIndexView:
    entries: tuple[SourceCount, ...]


@dataclass(frozen=True)
class DiscrepancyView:
    caveats: tuple[CitedCaveat, ...]  # omissions and contradictions, newest article first
    pagination: Pagination


@dataclass(frozen=True)
class ClaimantView:
    claimant: Claimant
    claims: tuple[CitedClaim, ...]  # this page's share of them, newest first
    counts: tuple[VerdictCount, ...]  # of all its claims, per status of the scale
    total: int
    pagination: Pagination


@dataclass(frozen=True)
class ClaimantSummary:
    """A claimant as claimants/ lists it: its counts, not its claims (the index stays small)."""

    claimant: Claimant
    total: int
    counts: tuple[VerdictCount, ...]  # per status of the scale


@dataclass(frozen=True)
class ClaimantIndexView:
    statuses: tuple[Status, ...]
    entries: tuple[ClaimantSummary, ...]  # this page's share, by name
    pagination: Pagination


@dataclass(frozen=True)
class StatusView:
    status: Status
    claims: tuple[CitedClaim, ...]  # this page's share, newest first
    total: int
    pagination: Pagination


@dataclass(frozen=True)
class StatusIndexView:
    entries: tuple[VerdictCount, ...]  # the scale, best to worst


@dataclass(frozen=True)
class UpdatesView:
    events: tuple[UpdateEvent, ...]  # this page's share, newest first
    pagination: Pagination


@dataclass(frozen=True)
class SearchView:
    pass


@dataclass(frozen=True)
class NotFoundView:
    pass


# Lists: where each article's items go.

class ListEntry(NamedTuple):
    list: str  # e.g. 'topic/trade/claims'
    sort: str  # members are shown in the order of these keys
    member: str  # 'slug', 'slug#claim-id' or 'slug#caveat-id#role'


ARTICLES, CLAIMS, CAVEATS, EVENTS, DOCUMENTS, CLAIMANT_NAMES = "articles", "claims", "caveats", "events", "documents", "claimants"


def list_entries(article: AnchoredArticle, claimant_of: Callable[[str], Claimant | None]) -> tuple[ListEntry, ...]:
    """Every place the article and its claims, caveats, updates and cited documents take in the index
    lists; `claimant_of` gives the claimant a claim's `claimant` names (claimants.find_claimant)."""
    slug = article.slug
    newest_first = article_sort(article)
    entries = [ListEntry("home", newest_first, slug)]
    topic_ids = dict.fromkeys(article.article.topic_ids)
    for claim in article.claims:
        sort = f"{newest_first} {claim.number:05d}"
        member = f"{slug}#{claim.claim.id}"
        entries.append(ListEntry(f"status/{claim.status.id}/{CLAIMS}", sort, member))
        claimant = claimant_of(claim.claim.claimant) if claim.claim.claimant else None
        if claimant is not None:
            entries.append(ListEntry(f"claimant/{claimant.slug}/{CLAIMS}", sort, member))
            entries.append(ListEntry(f"claimant/{claimant.slug}/status/{claim.status.id}", sort, member))
        for topic_id in dict.fromkeys(claim.claim.topic_ids):
            entries.append(ListEntry(f"topic/{topic_id}/{CLAIMS}", sort, f"{slug}#{claim.claim.id}"))
            topic_ids.setdefault(topic_id)
        for source_id in dict.fromkeys(claim.claim.source_ids):
            entries.append(ListEntry(f"source/{source_id}/{CLAIMS}", sort, f"{slug}#{claim.claim.id}"))
    for topic_id in topic_ids:
        entries.append(ListEntry(f"topic/{topic_id}/{ARTICLES}", newest_first, slug))
    for index, caveat in enumerate(article.caveats):
        sort = f"{newest_first} {index:05d}"
        subjects = set(caveat.caveat.source_ids)
        for source_id in dict.fromkeys(caveat.caveat.source_ids + caveat.caveat.noted_by_ids):
            role = "subject" if source_id in subjects else "noted by"
            entries.append(ListEntry(f"source/{source_id}/{CAVEATS}", sort, f"{slug}#{caveat.caveat.id}#{role}"))
        if caveat.caveat.is_discrepancy:
            entries.append(ListEntry("discrepancies", sort, f"{slug}#{caveat.caveat.id}#subject"))
    if article.article.source:
        entries.append(ListEntry(f"source/{article.article.source.id}/{ARTICLES}", newest_first, slug))
    for event in updates.update_events(article):
        entries.append(ListEntry("updates", event_sort(event), event.event_id))
    for source_id, _key, citation, cited in citations.document_items(article):
        note = cited.claim.note_id if isinstance(cited, CitedClaim) else cited.caveat.note_id
        index = citations.citations_of(cited).index(citation)
        document = f"{(citation.title or citation.url).casefold()}\x1f{citation.url}"
        entries.append(ListEntry(f"source/{source_id}/{DOCUMENTS}", f"{document}\x1f{newest_first}",
                                 f"{slug}#{note}#{index}"))
    return tuple(entries)


def event_sort(event: UpdateEvent) -> str:
    """updates.UpdateEvent.sort_key as a string: newest first, then newest article, reading order, later steps."""
    place = f"0 {event.claim.number:05d}" if event.claim is not None else f"1 {len(event.caveat.letter):03d} {event.caveat.letter}"
    return (f"{9999999 - event.date.toordinal():07d} {9999999 - event.article.article.date.toordinal():07d} "
            f"{event.article.slug} {place} {99999 - event.step:05d}")


def article_sort(article: AnchoredArticle) -> str:
    """Newest first, then by slug (a string: the lists are ordered by it)."""
    return f"{9999999 - article.article.date.toordinal():07d} {article.slug}"


def member_slug(member: str) -> str:
    """The article a list member belongs to ('slug#...'; an update event's id is 'slug/...')."""
    return member.split("#", 1)[0].split("/", 1)[0]


# Index pages: sections of one or more lists, shown a page at a time.

@dataclass(frozen=True)
class Section:
    """A family of index pages: page 1 at `path`, the others at `path` + 'page/N/'."""

    key: str  # 'home', 'topic/trade', 'source/xinhua', 'discrepancies'
    path: str
    template: str
    title: str
    lists: tuple[tuple[str, str], ...]  # (kind of item: ARTICLES, CLAIMS or CAVEATS; list name), in view order


# Every template a page is rendered with: a page is made again when its template, or one it uses, changes.
PAGE_TEMPLATES = ("home.html", "article.html", "topics.html", "topic.html", "sources.html", "source.html",
                  "discrepancies.html", "claimants.html", "claimant.html", "statuses.html", "status.html",
                  "updates.html", "search.html", "404.html")


def sections(config: SiteConfig, sources: Iterable[Source], topics: Iterable[Topic],
             claimants: Iterable[Claimant] = ()) -> list[Section]:
    """Every index section of the site, in a stable order; `claimants`: those with a page."""
    found = [Section("home", HOME, "home.html", config.title, ((ARTICLES, "home"),))]
    found += [Section(f"topic/{t.id}", topic_url(t.id), "topic.html", t.title,
                      ((ARTICLES, f"topic/{t.id}/{ARTICLES}"), (CLAIMS, f"topic/{t.id}/{CLAIMS}"))) for t in topics]
    found += [Section(f"source/{s.id}", source_url(s.id), "source.html", s.name,
                      ((CLAIMS, f"source/{s.id}/{CLAIMS}"), (CAVEATS, f"source/{s.id}/{CAVEATS}"),
                       (ARTICLES, f"source/{s.id}/{ARTICLES}"), (DOCUMENTS, f"source/{s.id}/{DOCUMENTS}")))
              for s in sources]
    found.append(Section("discrepancies", DISCREPANCIES, "discrepancies.html", "Discrepancies between sources",
                         ((CAVEATS, "discrepancies"),)))
    found.append(Section("claimants", CLAIMANTS, "claimants.html", "Claimants", ((CLAIMANT_NAMES, "claimants"),)))
    found += [Section(f"claimant/{c.slug}", claimant_url(c.slug), "claimant.html", c.name,
                      ((CLAIMS, f"claimant/{c.slug}/{CLAIMS}"),)) for c in claimants]
    found += [Section(f"status/{s.id}", status_url(s.id), "status.html", s.label, ((CLAIMS, f"status/{s.id}/{CLAIMS}"),))
              for s in config.statuses]
    found.append(Section("updates", UPDATES, "updates.html", "Updates", ((EVENTS, "updates"),)))
    return found


def page_size(config: SiteConfig, kind: str) -> int:
    """Articles are listed `page_size.articles` to a page; claims, caveats, updates, documents and claimants `.claims`."""
    return config.page_size_articles if kind == ARTICLES else config.page_size_claims


def list_pages(total: int, size: int) -> int:
    """How many pages a list of `total` items takes (an empty list still has its first page)."""
    return 1 if total <= size else total // size


def page_bounds(total: int, size: int, number: int) -> tuple[int, int]:
    """The ranks (from the newest, end exclusive) that page `number` shows; empty past the list's pages."""
    count = list_pages(total, size)
    if number > count:
        return total, total
    if number == 1:
        return 0, total - (count - 1) * size
    return total - (count - number + 1) * size, total - (count - number) * size


def page_of(rank: int, total: int, size: int) -> int:
    """The page that shows the item at `rank` (0 = newest) of a list of `total`."""
    count = list_pages(total, size)
    first = total - (count - 1) * size
    return 1 if rank < first else 2 + (rank - first) // size


def section_pages(section: Section, counts: dict[str, int], config: SiteConfig) -> int:
    """How many pages the section has: as many as its longest list needs."""
    return max(list_pages(counts.get(name, 0), page_size(config, kind)) for kind, name in section.lists)


def page_path(section: Section, number: int) -> str:
    """The output file of a section's page."""
    return f"{section_address(section, number)}index.html"


def section_address(section: Section, number: int) -> str:
    return section.path if number == 1 else f"{section.path}page/{number}/"


def pagination(section: Section, number: int, count: int) -> Pagination:
    """The navigation of page `number` of `count`: first, last, and two either side of this one."""
    def link(n: int) -> PageLink:
        return PageLink(n, section_address(section, n))

    shown = sorted({1, count, *range(max(1, number - 2), min(count, number + 2) + 1)})
    links: list[PageLink | None] = []
    for n in shown:
        if links and links[-1] is not None and n > links[-1].number + 1:
            links.append(None)
        links.append(link(n))
    return Pagination(number, count, tuple(links), link(number - 1) if number > 1 else None,
                      link(number + 1) if number < count else None)


def index_page(section: Section, number: int, count: int, items: dict[str, tuple], sources: dict[str, Source],
               topics: dict[str, Topic], extra: dict[str, Any] | None = None) -> Page:
    """Page `number` of a section; `items` maps each of its list names to this page's members, as
    articles, CitedClaims, CitedCaveats, update events, (citation, claim or caveat) pairs or claimant
    summaries; `extra` holds what else the section shows (a claimant's counts, the latest updates)."""
    nav = pagination(section, number, count)
    kind, _, entity = section.key.partition("/")
    lists = {name: items.get(name, ()) for _, name in section.lists}
    extra = extra or {}
    if kind == "home":
        view: Any = HomeView(lists["home"], nav, extra.get("updates", ()) if number == 1 else ())
    elif kind == "topic":
        view = TopicView(topics[entity], lists[f"topic/{entity}/{ARTICLES}"], lists[f"topic/{entity}/{CLAIMS}"], nav)
    elif kind == "source":
        documents = citations.documents_by_source((entity, (), citation, cited) for citation, cited in
                                                  lists[f"source/{entity}/{DOCUMENTS}"]).get(entity, ())
        view = SourceView(sources[entity], lists[f"source/{entity}/{CLAIMS}"], lists[f"source/{entity}/{CAVEATS}"],
                          lists[f"source/{entity}/{ARTICLES}"], nav, documents)
    elif kind == "claimants":
        view = ClaimantIndexView(extra["statuses"], lists["claimants"], nav)
    elif kind == "claimant":
        view = ClaimantView(extra["claimant"], lists[f"claimant/{entity}/{CLAIMS}"], extra["counts"], extra["total"], nav)
    elif kind == "status":
        view = StatusView(extra["status"], lists[f"status/{entity}/{CLAIMS}"], extra["total"], nav)
    elif kind == "updates":
        view = UpdatesView(lists["updates"], nav)
    else:
        view = DiscrepancyView(lists["discrepancies"], nav)
    title = section.title if number == 1 else f"{section.title} (page {number} of {count})"
    return Page(page_path(section, number), section.template, title, view)


def member_item(kind: str, member: str, article: AnchoredArticle) -> Any:
    """What a list member stands for, given its article as index pages see it."""
    if kind == ARTICLES:
        return article
    if kind == EVENTS:
        return next(e for e in updates.update_events(article) if e.event_id == member)
    _slug, item_id, *rest = member.split("#")
    if kind == CLAIMS:
        return CitedClaim(article, article.claim(item_id))
    if kind == DOCUMENTS:
        cited = next(c for c in citations.document_items(article)
                     if (c[3].claim.note_id if isinstance(c[3], CitedClaim) else c[3].caveat.note_id) == item_id)[3]
        return citations.citations_of(cited)[int(rest[0])], cited
    caveat = next(c for c in article.caveats if c.caveat.id == item_id)
    return CitedCaveat(article, caveat, rest[0] if rest else "subject")


def status_index_page(statuses: Iterable[Status], counts: dict[str, int]) -> Page:
    entries = tuple(VerdictCount(s, counts.get(f"status/{s.id}/{CLAIMS}", 0)) for s in statuses)
    return Page(f"{STATUSES}index.html", "statuses.html", "Verdicts", StatusIndexView(entries))


def topics_index_page(topics: Iterable[Topic], counts: dict[str, int]) -> Page:
    entries = tuple(TopicCount(t, counts.get(f"topic/{t.id}/{ARTICLES}", 0), counts.get(f"topic/{t.id}/{CLAIMS}", 0))
                    for t in topics)
    return Page(f"{TOPICS}index.html", "topics.html", "Topics", TopicIndexView(entries))


def sources_index_page(sources: Iterable[Source], counts: dict[str, int]) -> Page:
    entries = tuple(SourceCount(s, counts.get(f"source/{s.id}/{CLAIMS}", 0), counts.get(f"source/{s.id}/{CAVEATS}", 0))
                    for s in sources)
    return Page(f"{SOURCES}index.html", "sources.html", "Sources", SourceIndexView(entries))


def fixed_pages(search: bool) -> list[Page]:
    """The pages that show no content: the search page (only with a search index) and 404.html."""
    pages = [Page(f"{SEARCH}index.html", "search.html", "Search", SearchView())] if search else []
    return pages + [Page(NOT_FOUND, "404.html", "Not found", NotFoundView(), links_from_site_root=True)]


# Article pages.

def article_page(article: AnchoredArticle, sources: dict[str, Source]) -> Page:
    """An article's page; `sources` must hold every source the article names."""
    outlet = sources[article.article.source.id] if article.article.source else None
    compared = tuple(sources[sid] for sid in sorted(compared_ids(article)))
    return Page(f"{article_url(article.slug)}index.html", "article.html", article.article.title,
                ArticleView(article, compared, outlet))


def shown_source_ids(article: AnchoredArticle) -> set[str]:
    """The sources an article's page shows whole (in its comparison table and as its outlet)."""
    return compared_ids(article) | ({article.article.source.id} if article.article.source else set())


def listed_article(article: AnchoredArticle) -> AnchoredArticle:
    """The article as index pages see it: everything but its text (its links stay: notes on index
    pages resolve theirs)."""
    return replaced(article, article=replaced(article.article, body=""), body_html="", anchors={}, blocks=0)


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
