"""What each page of the site shows, decided before anything is rendered.

An article's page shows the article. Index pages (home, topics, sources, discrepancies) show lists
gathered from every article: each article says where its items go (`list_entries`: which list, at
which sort key), and a list is shown a page at a time (`Pagination`). So an index page is planned
from the few members it shows, never from the whole digest, and a rebuild plans in proportion to
what changed.

Pagination counts from the oldest end: every page but the first holds exactly `size` items, and the
first (the newest) holds the rest, between `size` and twice as many. A new article then changes the
first page of each list it joins, not every page after it; the pages are renumbered only when a
list grows by a whole page.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Iterable, NamedTuple

from .articles import AnchoredArticle, AnchoredCaveat, AnchoredClaim, replaced
from .model import SiteConfig, Source, Topic
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


# Views: what a template gets as `view`.

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


ARTICLES, CLAIMS, CAVEATS = "articles", "claims", "caveats"


def list_entries(article: AnchoredArticle) -> tuple[ListEntry, ...]:
    """Every place the article and its claims and caveats take in the index lists."""
    slug = article.slug
    newest_first = article_sort(article)
    entries = [ListEntry("home", newest_first, slug)]
    topic_ids = dict.fromkeys(article.article.topic_ids)
    for claim in article.claims:
        sort = f"{newest_first} {claim.number:05d}"
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
    return tuple(entries)


def article_sort(article: AnchoredArticle) -> str:
    """Newest first, then by slug (a string: the lists are ordered by it)."""
    return f"{9999999 - article.article.date.toordinal():07d} {article.slug}"


def member_slug(member: str) -> str:
    return member.split("#", 1)[0]


# Index pages: sections of one or more lists, shown a page at a time.

@dataclass(frozen=True)
class Section:
    """A family of index pages: page 1 at `path`, the others at `path` + 'page/N/'."""

    key: str  # 'home', 'topic/trade', 'source/xinhua', 'discrepancies'
    path: str
    template: str
    title: str
    lists: tuple[tuple[str, str], ...]  # (kind of item: ARTICLES, CLAIMS or CAVEATS; list name), in view order


def sections(config: SiteConfig, sources: Iterable[Source], topics: Iterable[Topic]) -> list[Section]:
    """Every index section of the site, in a stable order."""
    found = [Section("home", HOME, "home.html", config.title, ((ARTICLES, "home"),))]
    found += [Section(f"topic/{t.id}", topic_url(t.id), "topic.html", t.title,
                      ((ARTICLES, f"topic/{t.id}/{ARTICLES}"), (CLAIMS, f"topic/{t.id}/{CLAIMS}"))) for t in topics]
    found += [Section(f"source/{s.id}", source_url(s.id), "source.html", s.name,
                      ((CLAIMS, f"source/{s.id}/{CLAIMS}"), (CAVEATS, f"source/{s.id}/{CAVEATS}"),
                       (ARTICLES, f"source/{s.id}/{ARTICLES}"))) for s in sources]
    found.append(Section("discrepancies", DISCREPANCIES, "discrepancies.html", "Discrepancies between sources",
                         ((CAVEATS, "discrepancies"),)))
    return found


def page_size(config: SiteConfig, kind: str) -> int:
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
               topics: dict[str, Topic]) -> Page:
    """Page `number` of a section; `items` maps each of its list names to this page's members, as
    articles, CitedClaims or CitedCaveats."""
    nav = pagination(section, number, count)
    kind, _, entity = section.key.partition("/")
    lists = {name: items.get(name, ()) for _, name in section.lists}
    if kind == "home":
        view: Any = HomeView(lists["home"], nav)
    elif kind == "topic":
        view = TopicView(topics[entity], lists[f"topic/{entity}/{ARTICLES}"], lists[f"topic/{entity}/{CLAIMS}"], nav)
    elif kind == "source":
        view = SourceView(sources[entity], lists[f"source/{entity}/{CLAIMS}"], lists[f"source/{entity}/{CAVEATS}"],
                          lists[f"source/{entity}/{ARTICLES}"], nav)
    else:
        view = DiscrepancyView(lists["discrepancies"], nav)
    title = section.title if number == 1 else f"{section.title} (page {number} of {count})"
    return Page(page_path(section, number), section.template, title, view)


def member_item(kind: str, member: str, article: AnchoredArticle) -> AnchoredArticle | CitedClaim | CitedCaveat:
    """What a list member stands for, given its article as index pages see it."""
    if kind == ARTICLES:
        return article
    _slug, item_id, *role = member.split("#")
    if kind == CLAIMS:
        return CitedClaim(article, article.claim(item_id))
    caveat = next(c for c in article.caveats if c.caveat.id == item_id)
    return CitedCaveat(article, caveat, role[0] if role else "subject")


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
    """The article as index pages see it: everything but its text."""
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
