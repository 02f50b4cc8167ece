"""The plan carried out: each planned file rendered from the stages' functions into the staging folder.

Every file it makes is recorded in the build state's graph with what it read, so a later build knows
when to make it again: a page reads the site key, its template, the registry entries its templates
looked up and the listings of the articles it shows; an index page also reads which members it shows.
Articles are read from the store, a page's worth at a time; nothing here holds the whole digest.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
import datetime
import functools
import json
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path

from typing import Any

import jinja2

from .analysis import Analysed, Articles, ResolvedDigest, Site, article_page_reads
from .compiled import StoredBytecode
from .engine.graph import Graph
from .engine.memo import Memoised
from .engine.ordered import BULK, Member
from .engine.parallel import LazyProcessPool, ordered_map
from .engine.session import Session
from .index import ANNOTATION_PAGES, EXPORT_ENTRIES, DigestIndex
from .inputs import Options
from .progress import Progress
from .rebuild import RebuildPlan, neighbours
from .search_index import forget_search_index, update_search_index
from .stages.articles import AnchoredArticle
from .stages.content import read_article_files
from .stages.diagnostics import ContentErrors
from .stages.exports import annotation_collection, annotation_page, article_export, claims_index
from .stages.feeds import FEED_ENTRIES, feed_file, plan_feeds
from .stages.output import Staging
from .stages.pages import (CLAIMANT_NAMES, CLAIMS, EVENTS, LATEST_UPDATES, ClaimantSummary, Page, Section, article_page,
                           fixed_pages, member_item, member_slug, page_bounds,
                           page_size, section_pages, sections, shown_source_ids, sources_index_page, status_index_page,
                           topics_index_page)
from .stages.updates_feed import updates_feed_file
from .stages.render import environment_for, render_page, template_diagnostic
from .stages.sitemap import robots_file, sitemap_file
from .tasks import (LATEST_UPDATES_LIST, ArticleResult, IndexJob, RenderContext, StoredArticle, analyse, index_chunk,
                    render_index)
from .stages.claimants import Claimant, registered_claimant
from .stages.verdicts import VerdictCount

LAST_CHANGED = "last-changed"


@dataclass
class _Context:
    site: Site
    digest: ResolvedDigest
    session: Session
    index: DigestIndex
    staging: Staging
    options: Options
    keys: dict[str, str]  # slug -> article key
    analysed: dict[str, Analysed]  # the articles this build analysed
    whole_lists: dict[str, list[Member]] = field(default_factory=dict)  # lists of which many pages are rendered

    orders: dict[str, list[str]] = field(default_factory=dict)

    @functools.cached_property
    def render(self) -> RenderContext:
        return RenderContext(self.digest.registry, self.site.templates, self.site.templates_key, self.options.search)

    @functools.cached_property
    def worker_render(self) -> RenderContext:
        """What the workers render with: no article's targets (they are read here, from the state)."""
        return replace(self.render, registry=replace(self.digest.registry, targets={}))

    @functools.cached_property
    def sections(self) -> dict[str, Section]:
        registry = self.digest.registry
        with_pages = [Claimant(name.removeprefix("claimant:"), title)
                      for name, title in self.graph.fingerprints_under("claimant:").items()]
        return {s.key: s for s in sections(registry.config, registry.sources.values(), registry.topics.values(), with_pages)}

    @functools.cached_property
    def counts(self) -> dict[str, int]:
        """Every list's length, as the plan left them."""
        return {name.removeprefix("count:"): int(n) for name, n in self.graph.fingerprints_under("count:").items()}

    def order(self, list_name: str) -> list[str] | None:
        """The members of a list read whole, in order (None if it was not read whole)."""
        if list_name not in self.orders and list_name in self.whole_lists:
            self.orders[list_name] = [m.member for m in self.whole_lists[list_name]]
        return self.orders.get(list_name)

    def payload(self, list_name: str, member: str) -> bytes:
        """The payload of a list's member whose sort key is the member itself (the export lists)."""
        whole = self.whole_lists.get(list_name)
        if whole is not None:
            rank = bisect.bisect_left(self.order(list_name), member)
            return whole[rank].payload
        rank = self.session.lists.rank(list_name, member)
        return self.session.lists.slice(list_name, rank, rank + 1)[0].payload

    def slice(self, list_name: str, start: int, stop: int) -> list[Member]:
        whole = self.whole_lists.get(list_name)
        return whole[start:stop] if whole is not None else self.session.lists.slice(list_name, start, stop)

    @property
    def graph(self) -> Graph:
        return self.session.graph


def render_outputs(root: Path, plan: RebuildPlan, site: Site, digest: ResolvedDigest, articles: Articles, session: Session,
                   staging: Staging, progress: Progress, options: Options,
                   pool: LazyProcessPool | None = None, jobs: int | None = None) -> list[str]:
    """Render what the plan says into staging (index pages on this machine's `pool`, when there are
    many), remove what it removes, index for search (on `jobs` threads), and bring staging up to date
    with the output; the paths of the files it recorded (their stamps are taken once swapped in)."""
    recorded = [made.path for made in plan.made] + [path for path, _ in plan.render]
    context = _Context(site, digest, session, DigestIndex(session), staging, options, articles.keys, articles.analysed)
    session.graph.forget(f"out:{path}" for path in plan.remove)
    _read_busy_lists(context, plan)
    for made in plan.made:
        session.graph.record(f"out:{made.path}", ("site", "template:article.html", *made.reads), made.recipe)
    env = environment_for(site.templates, site.templates_key, StoredBytecode(session.store))
    todo = list(plan.render)
    try:
        if pool is not None and sum(recipe.startswith("index ") for _, recipe in todo) >= MIN_PARALLEL_PAGES:
            todo = _index_pages_on(pool, context, todo, progress)
        # The sitemap lists every page: made once all the others are recorded.
        for path, recipe in sorted(todo, key=lambda item: item[1] == "sitemap"):
            kind, _, subject = recipe.partition(" ")
            reads = _RENDERERS[kind](context, env, path, subject)
            session.graph.record(f"out:{path}", reads, recipe)
            progress.advance()
    except jinja2.TemplateError as error:  # a site's own template is content too: located, no traceback
        raise ContentErrors((template_diagnostic(error, root),)) from error
    for path in plan.remove:
        staging.drop(path)
    if options.search:
        progress.stage("indexing for search")
        recorded += update_search_index(session.graph, staging, digest.registry.config.language, jobs)
    else:
        forget_search_index(session.graph, staging)
    _bring_up_to_date(context)
    return recorded


def _bring_up_to_date(context: _Context) -> None:
    """Make staging the whole new site: where it holds the generation before the output (and no build
    was interrupted in it since), only the paths the last build changed need it; else all of them."""
    graph, staging = context.graph, context.staging
    previous = graph.fingerprints(["staging", LAST_CHANGED])
    if staging.trusted and previous.get("staging") == staging.found_identity:
        staging.catch_up(json.loads(previous.get(LAST_CHANGED, "[]")))
    else:
        staging.mirror({node[4:] for node in graph.nodes("out:")})


def _read_busy_lists(context: _Context, plan: RebuildPlan) -> None:
    """Read whole, once, the lists of which this build renders many pages (a cold build renders them all)."""
    by_key = context.sections
    pages: dict[str, int] = {}
    for _, recipe in plan.render:
        kind, _, subject = recipe.partition(" ")
        if kind == "index":
            for _, name in by_key[subject.rsplit(" ", 1)[0]].lists:
                pages[name] = pages.get(name, 0) + 1
        elif kind == "annotations":
            pages[ANNOTATION_PAGES] = pages.get(ANNOTATION_PAGES, 0) + 1
    for name, count in pages.items():
        if count > BULK:
            context.whole_lists[name] = context.session.lists.members(name)


def _page(context: _Context, env: jinja2.Environment, page: Page, reads: list[str]) -> list[str]:
    file = render_page(env, context.digest.registry, context.options.search, page)
    context.staging.put(file.path, file.data)
    reads += [f"{'source' if registry == 'sources' else 'topic'}:{entry_id}" for registry, entry_id in file.lookups]
    return ["site", f"template:{page.template}", *sorted(set(reads))]


def _result(context: _Context, slug: str) -> ArticleResult:
    """An article's stored result; analysed again if the store lost it."""
    key = context.keys[slug]
    result = context.index.result(key)
    if result is None:
        summary, result = analyse(read_article_files(context.site.root, slug, context.site.slugs[slug]),
                                  context.digest.registry.config)
        assert result is not None  # it built at the start of this build
        context.index.results.put(key, Memoised(StoredArticle(summary, pickle.dumps(result), pickle.dumps(result.listing())),
                                                summary.problems))
    return result


def _article(context: _Context, env: jinja2.Environment, path: str, slug: str) -> list[str]:
    article = _result(context, slug).with_body()
    file = render_page(env, context.digest.registry, context.options.search, article_page(article, context.digest.registry.sources))
    context.staging.put(file.path, file.data)
    return ["site", "template:article.html", *article_page_reads(slug, shown_source_ids(article), file.lookups)]


def _data(context: _Context, env: jinja2.Environment, path: str, slug: str) -> list[str]:
    export = _export(context, slug)
    context.staging.put(export.data.path, export.data.data)
    return ["site", f"article:{slug}"]


def _export(context: _Context, slug: str):
    article = _result(context, slug).article
    registry = context.digest.registry
    export = article_export(registry.config, registry.topics, registry.claimants, article)
    context.index.put_exports(slug, export.entry, export.annotations)
    return export


def _annotations(context: _Context, env: jinja2.Environment, path: str, slug: str) -> list[str]:
    analysed = context.analysed.get(slug)
    if analysed is not None and analysed.exported is not None:  # made by this build: in the list already
        annotations, topic_ids = context.payload(ANNOTATION_PAGES, slug), analysed.exported
    else:
        export = _export(context, slug)
        annotations, topic_ids = export.annotations, tuple(topic_id for _, topic_id in export.lookups)
    previous, following = neighbours(context.session.lists, slug, context.order(ANNOTATION_PAGES))
    file = annotation_page(context.digest.registry.config, slug, annotations, previous or None, following or None)
    context.staging.put(file.path, file.data)
    return ["site", f"article:{slug}", f"neighbours:{slug}", *(f"topic:{topic_id}" for topic_id in topic_ids)]


MIN_PARALLEL_PAGES = 200  # below this, sending index pages to workers costs more than it saves
CHUNK = 8


def _index_pages_on(pool: LazyProcessPool, context: _Context, todo: list[tuple[str, str]], progress: Progress
                    ) -> list[tuple[str, str]]:
    """Render the index pages among `todo` on the workers, which read the listings from the store;
    what is left to render here."""
    context.session.store.flush()  # the workers read what the build stored
    indexes = [(path, recipe) for path, recipe in todo if recipe.startswith("index ")]
    jobs = [_index_job(context, recipe.partition(" ")[2]) for _, recipe in indexes]
    chunks = [(indexes[i:i + CHUNK], jobs[i:i + CHUNK]) for i in range(0, len(jobs), CHUNK)]
    store = (str(context.session.store.path), context.session.store.code_version)
    left = [(path, recipe) for path, recipe in todo if not recipe.startswith("index ")]
    for (planned, _), results in zip(chunks, ordered_map(pool, index_chunk, ((*store, context.worker_render, chunk)
                                                                            for _, chunk in chunks))):
        for (path, recipe), result in zip(planned, results):
            if result is None:
                left.append((path, recipe))
                continue
            file_path, data, reads = result
            context.staging.put(file_path, data)
            context.graph.record(f"out:{path}", reads, recipe)
            progress.advance()
    return left


def _index(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    job = _index_job(context, subject)
    rendered = render_index(job, lambda key: context.index.listing(key), context.render)
    if rendered is None:  # the store lost a listing: made again from the article
        for _, _, members in job.lists:
            for member, _key in members:
                _listing(context, member_slug(member))
        rendered = render_index(job, lambda key: context.index.listing(key), context.render)
        assert rendered is not None
    file, reads = rendered
    context.staging.put(file.path, file.data)
    return list(reads)


def _index_job(context: _Context, subject: str) -> IndexJob:
    """What page `subject` ('<section key> <number>') of an index shows."""
    key, number_text = subject.rsplit(" ", 1)
    number = int(number_text)
    config = context.digest.registry.config
    section = context.sections[key]
    counts = {name: context.counts.get(name, 0) for _, name in section.lists}
    lists = []
    for kind, name in section.lists:
        start, stop = page_bounds(counts[name], page_size(config, kind), number)
        members = tuple((m.member, "" if kind == CLAIMANT_NAMES else context.keys[member_slug(m.member)])
                        for m in context.slice(name, start, stop))
        lists.append((kind, name, members))
    extra, reads = _index_extra(context, section, number, lists)
    return IndexJob(section, number, section_pages(section, counts, config), tuple(lists), extra, reads)


def _index_extra(context: _Context, section: Section, number: int, lists: list
                 ) -> tuple[tuple[tuple[str, Any], ...], tuple[str, ...]]:
    """What else a page of an index shows besides its lists' articles, and what it read to know it;
    adds the newest updates to the first page of home."""
    kind, _, entity = section.key.partition("/")
    graph, registry = context.graph, context.digest.registry
    statuses = registry.config.statuses
    if kind == "home" and number == 1:
        latest = context.slice("updates", 0, LATEST_UPDATES)
        lists.append((EVENTS, LATEST_UPDATES_LIST, tuple((m.member, context.keys[member_slug(m.member)]) for m in latest)))
        return (), ("latest-updates",)
    if kind == "claimant":
        total = context.counts.get(f"claimant/{entity}/{CLAIMS}", 0)
        return (("claimant", _claimant(context, entity)), ("counts", _verdict_counts(graph, entity, statuses)),
                ("total", total)), (f"claimant:{entity}", f"claimant-counts:{entity}", f"count:claimant/{entity}/{CLAIMS}")
    if kind == "status":
        status = next(s for s in statuses if s.id == entity)
        return (("status", status), ("total", context.counts.get(f"status/{entity}/{CLAIMS}", 0))), (
            f"count:status/{entity}/{CLAIMS}",)
    if kind == "claimants":
        slugs = [member for _, name, members in lists for member, _ in members]
        summaries = []
        for slug in slugs:
            counts = _verdict_counts(graph, slug, statuses)
            summaries.append((slug, ClaimantSummary(_claimant(context, slug), sum(c.count for c in counts), counts)))
        return (("statuses", statuses), *summaries), tuple(
            name for slug in slugs for name in (f"claimant:{slug}", f"claimant-counts:{slug}"))
    return (), ()


def _claimant(context: _Context, slug: str) -> Claimant:
    """The claimant whose page has this slug: registered, or named so by the claims (rebuild.py)."""
    name = context.graph.fingerprints([f"claimant:{slug}"])[f"claimant:{slug}"]
    registered = next((e for e in context.site.registries.claimants if e.id == slug), None)
    return registered_claimant(registered) if registered is not None else context.digest.registry.claimants[name]


def _verdict_counts(graph: Graph, slug: str, statuses) -> tuple[VerdictCount, ...]:
    counts = graph.fingerprints([f"claimant-counts:{slug}"]).get(f"claimant-counts:{slug}", "")
    return tuple(VerdictCount(s, int(n)) for s, n in zip(statuses, counts.split()))


def _listing(context: _Context, slug: str) -> AnchoredArticle:
    found = context.index.listing(context.keys[slug])
    if found is None:
        found = _result(context, slug).listing()
    return found


def _topics(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    page = topics_index_page(context.digest.registry.topics.values(), context.counts)
    return _page(context, env, page, ["topic:*", "counts:topics"])


def _sources(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    page = sources_index_page(context.digest.registry.sources.values(), context.counts)
    return _page(context, env, page, ["source:*", "counts:sources"])


def _fixed(context: _Context, env: jinja2.Environment, path: str, template: str) -> list[str]:
    page = next(p for p in fixed_pages(context.options.search) if p.template == template)
    return _page(context, env, page, [])


def _feed(context: _Context, env: jinja2.Environment, path: str, list_name: str) -> list[str]:
    registry = context.digest.registry
    feed = next(f for f in plan_feeds(registry.config, registry.topics.values()) if f.list == list_name)
    slugs = [m.member for m in context.session.lists.slice(list_name, 0, FEED_ENTRIES)]
    articles = [_result(context, slug).with_body() for slug in slugs]
    targets = _Recorded(registry.targets)
    file = feed_file(feed, articles, registry.config, registry.topics, targets)
    context.staging.put(file.path, file.data)
    return ["site", f"feed:{feed.path}", "topic:*", *(f"article:{slug}" for slug in slugs), *targets.names()]


def _updates_feed(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    registry = context.digest.registry
    members = [m.member for m in context.session.lists.slice("updates", 0, FEED_ENTRIES)]
    events = tuple(member_item(EVENTS, member, _listing(context, member_slug(member))) for member in members)
    targets = _Recorded(registry.targets)
    file = updates_feed_file(registry.config, events, targets)
    context.staging.put(file.path, file.data)
    return ["site", "feed:updates.xml", *(f"listing:{member_slug(m)}" for m in members), *targets.names()]


def _statuses(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    page = status_index_page(context.digest.registry.config.statuses, context.counts)
    return _page(context, env, page, ["counts:statuses"])


class _Recorded(Mapping):
    """A mapping that notes which keys were asked for (the articles whose targets a feed's links used)."""

    def __init__(self, entries: Mapping) -> None:
        self.entries = entries
        self.asked: set[str] = set()

    def __getitem__(self, key: str):
        self.asked.add(key)
        return self.entries[key]

    def __iter__(self):
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def names(self) -> list[str]:
        return [f"targets:{slug}" for slug in sorted(self.asked)]


def _claims(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    registry = context.digest.registry
    claimants = [_claimant(context, name.removeprefix("claimant:")) for name in context.graph.fingerprints_under("claimant:")]
    file = claims_index(registry.config, registry.sources.values(), registry.topics.values(), claimants,
                        context.session.lists.payloads(EXPORT_ENTRIES))
    context.staging.put(file.path, file.data)
    return ["site", "source:*", "topic:*", "export-entries", "claimant-pages"]


def _collection(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    lists = context.session.lists
    total = lists.count(ANNOTATION_PAGES)
    first = lists.slice(ANNOTATION_PAGES, 0, 1)
    last = lists.slice(ANNOTATION_PAGES, total - 1, total) if total else []
    file = annotation_collection(context.digest.registry.config, context.digest.annotations,
                                 first[0].member if first else None, last[0].member if last else None)
    context.staging.put(file.path, file.data)
    return ["site", "annotation-pages"]


def _sitemap(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    dates = {m.member: datetime.date.fromordinal(9999999 - int(m.sort.split(" ", 1)[0]))
             for m in context.session.lists.slice("home", 0, 1 << 62)}
    pages = [node[4:] for node in context.graph.nodes("out:") if node.endswith(".html")]
    entries = []
    for page_path in sorted(set(pages)):
        parts = page_path.split("/")
        slug = parts[1] if len(parts) == 3 and parts[0] == "articles" else None
        entries.append((page_path, dates.get(slug) if slug else None))
    file = sitemap_file(entries, context.digest.registry.config)
    context.staging.put(file.path, file.data)
    return ["site", "sitemap-inputs"]


def _robots(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    file = robots_file(context.digest.registry.config)
    context.staging.put(file.path, file.data)
    return ["site"]


def _static(context: _Context, env: jinja2.Environment, path: str, subject: str) -> list[str]:
    from .stages.theme import static_files

    source = static_files(context.site.root / "site" / "static")[path]
    context.staging.copy(path, source)
    return [f"static:{path}"]


_RENDERERS = {"article": _article, "data": _data, "annotations": _annotations, "index": _index, "topics": _topics,
              "sources": _sources, "fixed": _fixed, "feed": _feed, "claims": _claims, "collection": _collection,
              "sitemap": _sitemap, "robots": _robots, "static": _static, "statuses": _statuses,
              "updates-feed": _updates_feed}
