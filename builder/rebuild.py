"""What changed -> a RebuildPlan: which output files to render and which to remove; the rest are kept.

Every output file is a node of the build state's graph (engine/graph.py): it recorded what it read
and what it was made as (its recipe, 'kind subject'). The plan brings the fingerprints that outputs
read up to date (the site key, the templates, which members each index page shows, the feeds'
entries, an annotation page's neighbours, ...), then renders the readers of every name whose
fingerprint changed, the files new to the site, and those the output no longer holds as written.
Which files exist is worked out from the changes too (a page added to an index, an article
unpublished): the plan never walks the whole digest.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .analysis import Articles, ResolvedDigest, Site, registry_fingerprints
from .engine.graph import Graph
from .engine.ordered import ListChange, OrderedLists
from .engine.session import Session
from .engine.store import content_hash
from .crossref_checks import check_content_links
from .index import ANNOTATION_PAGES, CLAIMANT_NAMES, EXPORT_ENTRIES, named_claimant
from .engine.ordered import Member
from .inputs import Options
from .stages.exports import ANNOTATIONS_FILE, CLAIMS_FILE, annotation_page_path, article_data_path
from .stages.feeds import FEED_ENTRIES, plan_feeds
from .stages.diagnostics import Diagnostic
from .stages.output import OutputStamp
from .stages.claimants import Claimant, registered_claimant
from .stages.pages import (CLAIMS, LATEST_UPDATES, NOT_FOUND, SEARCH, SOURCES, STATUSES, TOPICS, UPDATES_FEED, Section,
                           article_url, page_bounds, page_of,
                           page_path, page_size, section_pages, sections)
from .stages.sitemap import SITEMAP_FILE
from .stages.theme import static_files

ROBOTS_FILE = "robots.txt"
SEARCH_INDEX = "pagefind/"


@dataclass(frozen=True)
class Made:
    """A file a worker already put into staging, and what it read."""

    path: str
    recipe: str
    reads: tuple[str, ...]


@dataclass(frozen=True)
class RebuildPlan:
    render: tuple[tuple[str, str], ...]  # (path, recipe) of each file to render, by path
    made: tuple[Made, ...]  # rendered by the workers already
    remove: tuple[str, ...]  # output files the site no longer has
    changed_lists: frozenset[str]  # index lists whose members changed
    pages: int  # HTML pages of the site once built
    pages_rendered: int  # pages this build renders, the workers' included
    warnings: tuple[Diagnostic, ...] = ()  # about links in content (crossref_checks.py)


def plan_rebuild(site: Site, digest: ResolvedDigest, articles: Articles, session: Session, hashes: dict[str, str],
                 out: Path, options: Options) -> RebuildPlan:
    graph, lists = session.graph, session.lists
    existing = graph.nodes("out:")  # 'out:<path>' -> stamp of every file the output has
    changed = set(digest.changed)
    changed |= graph.update({"site": site.keys.site})
    changed |= graph.replace_under("template:", {f"template:{n}": fp for n, fp in site.template_fingerprints.items()})
    plan = _Plan(existing)
    made = _article_files(articles, digest, plan)
    list_changes = [c for a in articles.analysed.values() if a.change for c in a.change.lists]
    list_changes += digest.removed_lists
    claimant_changes, changed_claimants = _claimants(site, digest, graph, lists, list_changes, "site" in changed)
    list_changes += claimant_changes
    changed |= changed_claimants
    changed |= _index_pages(digest, graph, lists, list_changes, plan)
    changed |= _feeds(digest, graph, lists, list_changes, plan)
    changed |= _exports(graph, lists, list_changes, plan)
    changed |= _assets(site, graph, hashes, plan)
    for path, recipe in _fixed_files(digest, options).items():
        plan.ensure(path, recipe)
    for path in ([] if options.search else [f"{SEARCH}index.html"]) + ([] if digest.registry.config.base_url else [SITEMAP_FILE]):
        plan.drop(path)
    if "home" in {c.list for c in list_changes} or plan.html_added_or_removed():
        changed.add("sitemap-inputs")  # the pages, or the articles' dates, are not as they were
    if "updates" in {c.list for c in list_changes}:
        changed |= graph.update({"latest-updates": content_hash(
            *(m.member for m in lists.slice("updates", 0, LATEST_UPDATES)))})
    link_warnings = check_content_links(articles, digest, session, changed, plan.files())
    for node, recipe in graph.recipes(node for node in graph.readers(changed) if node.startswith("out:")).items():
        plan.want(node[4:], recipe)
    # A file deleted or altered in the output since it was written is written again.
    folder = str(out) + "/"
    stale = [node for node, stamp in existing.items()
             if not node.startswith(f"out:{SEARCH_INDEX}") and str(OutputStamp.of(folder + node[4:])) != stamp]
    for node, recipe in graph.recipes(stale).items():
        plan.want(node[4:], recipe)
    return plan.done(made, frozenset(c.list for c in list_changes), link_warnings)


class _Plan:
    """The files wanted and unwanted so far."""

    def __init__(self, existing: dict[str, str]) -> None:
        self.existing = existing
        self.wanted: dict[str, str] = {}
        self.unwanted: set[str] = set()
        self.made_paths: set[str] = set()

    def want(self, path: str, recipe: str) -> None:
        if path not in self.unwanted and path not in self.made_paths:
            self.wanted[path] = recipe

    def ensure(self, path: str, recipe: str) -> None:
        """The site has this file: made if the output does not have it yet."""
        if f"out:{path}" not in self.existing:
            self.want(path, recipe)

    def drop(self, path: str) -> None:
        self.unwanted.add(path)
        self.wanted.pop(path, None)

    def files(self) -> set[str]:
        """Every file the site will have (as far as planned)."""
        return ({node[4:] for node in self.existing} - self.unwanted) | set(self.wanted) | self.made_paths

    def html_added_or_removed(self) -> bool:
        return any(path.endswith(".html") and f"out:{path}" not in self.existing for path in self.wanted) or any(
            path.endswith(".html") and f"out:{path}" in self.existing for path in self.unwanted)

    def done(self, made: list[Made], changed_lists: frozenset[str], warnings: tuple[Diagnostic, ...]) -> RebuildPlan:
        remove = tuple(sorted(p for p in self.unwanted if f"out:{p}" in self.existing and p not in self.wanted))
        new_pages = sum(1 for p in (*self.wanted, *self.made_paths) if p.endswith(".html") and f"out:{p}" not in self.existing)
        pages = sum(1 for node in self.existing if node.endswith(".html")) + new_pages - sum(
            1 for p in remove if p.endswith(".html"))
        rendered = sum(1 for p in (*self.wanted, *self.made_paths) if p.endswith(".html"))
        return RebuildPlan(tuple(sorted(self.wanted.items())), tuple(made), remove, changed_lists, pages, rendered, warnings)


def _article_files(articles: Articles, digest: ResolvedDigest, plan: _Plan) -> list[Made]:
    """Each published article's page and data file: made by its worker if it could, else to render."""
    made = []
    start = registry_fingerprints("source", articles.start_registry.sources) if articles.start_registry else {}
    now = registry_fingerprints("source", digest.registry.sources)
    for a in articles.analysed.values():
        page, data = f"{article_url(a.slug)}index.html", article_data_path(a.slug)
        if not a.published:
            plan.drop(page)
            plan.drop(data)
            plan.drop(annotation_page_path(a.slug))
            continue
        # A worker rendered the page with the registry as it was at the start: still right if every
        # source it read is the same now (an article may define a source another one uses).
        if a.page_reads is not None and all(start.get(n) == now.get(n) for n in a.page_reads if n.startswith("source:")) \
                and not any(n.startswith("targets:") for n in a.page_reads):  # the workers have no targets
            made.append(Made(page, f"article {a.slug}", a.page_reads))
            plan.made_paths.add(page)
        else:
            plan.want(page, f"article {a.slug}")
        if a.exported is not None:
            plan.made_paths.add(data)
            made.append(Made(data, f"data {a.slug}", (f"article:{a.slug}",)))
        else:
            plan.want(data, f"data {a.slug}")
    for slug in articles.removed:
        for path in (f"{article_url(slug)}index.html", article_data_path(slug), annotation_page_path(slug)):
            plan.drop(path)
    return made


def _claimants(site: Site, digest: ResolvedDigest, graph: Graph, lists: OrderedLists, changes: list[ListChange],
               site_changed: bool) -> tuple[list[ListChange], set[str]]:
    """Which claimants have a page (the registered, and those a published claim names), their names and
    counts per verdict, and the claimants index's list: for the claimants whose claims changed (all of
    them when the site key did: claimants.yaml is part of it). Where lists changed, and what names did."""
    registered = {entry.id: registered_claimant(entry) for entry in site.registries.claimants}
    stored = {name.removeprefix("claimant:") for name in graph.fingerprints_under("claimant:")}
    # 'claimant/<slug>/claims', and 'claimant/<slug>/status/<id>' (a verdict changed: the counts did)
    touched = {c.list.split("/")[1] for c in changes if c.list.startswith("claimant/")
               and (c.list.endswith(f"/{CLAIMS}") or "/status/" in c.list)}
    touched |= (stored | set(registered)) if site_changed else set(registered) - stored
    statuses = digest.registry.config.statuses
    prints: dict[str, str] = {}
    new_changes: list[ListChange] = []
    gone: list[str] = []
    for slug in sorted(touched):
        if slug not in registered and lists.count(f"claimant/{slug}/{CLAIMS}") == 0:
            gone.append(slug)
            new_changes += lists.replace(f"claimant:{slug}", [])
            continue
        claimant = registered.get(slug) or digest.registry.claimants[_a_name(lists, slug)]
        prints[f"claimant:{slug}"] = claimant.name
        prints[f"claimant-counts:{slug}"] = " ".join(str(lists.count(f"claimant/{slug}/status/{s.id}")) for s in statuses)
        new_changes += lists.replace(f"claimant:{slug}", [Member("claimants", f"{claimant.name.casefold()} {slug}", slug)])
    changed = graph.update(prints)
    graph.remove([f"{kind}:{slug}" for slug in gone for kind in ("claimant", "claimant-counts")])
    changed |= {f"claimant:{slug}" for slug in gone if slug in stored}
    if any(name.startswith("claimant:") for name in changed):
        changed.add("claimant-pages")  # a page came or went: links to claimants are checked again
    return new_changes, changed


def _a_name(lists: OrderedLists, slug: str) -> str:
    """The name the first claim naming a claimant's page gives it (as written)."""
    first = lists.slice(f"{CLAIMANT_NAMES}{slug}", 0, 1)
    return named_claimant(first[0].payload).name if first else slug


def _merged(changes: Iterable[ListChange]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for change in changes:
        merged.setdefault(change.list, set()).update(change.sorts)
    return merged


def _index_pages(digest: ResolvedDigest, graph: Graph, lists: OrderedLists, changes: list[ListChange],
                 plan: _Plan) -> set[str]:
    """Bring each index section's pages up to date: how many there are, and which members each shows."""
    config = digest.registry.config
    with_pages = [Claimant(name.removeprefix("claimant:"), title) for name, title in graph.fingerprints_under("claimant:").items()]
    current = sections(config, digest.registry.sources.values(), digest.registry.topics.values(), with_pages)
    touched = _merged(changes)
    list_names = [name for section in current for _, name in section.lists]
    stored = graph.fingerprints([f"count:{name}" for name in list_names] + [f"section:{s.key}" for s in current])
    counts = {name: int(stored.get(f"count:{name}", 0)) for name in list_names}
    counts.update({name: lists.count(name) for name in touched if name in counts})
    changed = graph.update({f"count:{name}": str(count) for name, count in counts.items()})
    # The topics and sources indexes show how many articles, claims and caveats each has.
    prints: dict[str, str] = {
        "counts:topics": content_hash(*(f"{name}={counts[name]}" for s in current if s.key.startswith("topic/")
                                        for _, name in s.lists)),
        "counts:sources": content_hash(*(f"{name}={counts[name]}" for s in current if s.key.startswith("source/")
                                         for _, name in s.lists)),
        "counts:statuses": content_hash(*(f"{name}={counts[name]}" for s in current if s.key.startswith("status/")
                                          for _, name in s.lists))}
    for section in current:
        pages = section_pages(section, counts, config)
        before = _stored_pages(stored.get(f"section:{section.key}"))[0]
        if pages != before:
            reached = pages  # renumbered: every page shows other members
        else:
            reached = 0
            for kind, name in section.lists:
                if name in touched:
                    ranks = lists.ranks(name, touched[name]).values()
                    reached = max(reached, *(page_of(rank, counts[name], page_size(config, kind)) for rank in ranks))
        prints.update(_members_prints(section, reached, pages, counts, lists, config))
        for number in range(1, pages + 1):
            plan.ensure(page_path(section, number), f"index {section.key} {number}")
        for number in range(pages + 1, before + 1):
            plan.drop(page_path(section, number))
            graph.remove([f"items:{section.key}:{number}"])
        prints[f"section:{section.key}"] = f"{pages} {section.path}"  # the path: to remove its pages once gone
    changed |= graph.update(prints)
    if any(name.startswith("section:") for name in changed):
        changed.add("sections")  # pages of an index came or went: relative links to them are checked again
    keys = {s.key for s in current}
    for name, stored_pages in graph.fingerprints_under("section:").items():
        key = name.removeprefix("section:")
        if key not in keys:  # a topic, source, claimant or status that is gone: its pages go too
            count, path = _stored_pages(stored_pages)
            gone = Section(key, path, "", "", ())
            for number in range(1, count + 1):
                plan.drop(page_path(gone, number))
            graph.remove([name, *(f"items:{key}:{n}" for n in range(1, count + 1))])
    return changed


def _stored_pages(fingerprint: str | None) -> tuple[int, str]:
    """A section's number of pages and path, as the last build recorded them."""
    count, _, path = (fingerprint or "0 ").partition(" ")
    return int(count), path


def _members_prints(section: Section, reached: int, pages: int, counts: dict[str, int], lists: OrderedLists,
                    config) -> dict[str, str]:
    """'items:<section>:<n>' -> a fingerprint of which members page n shows, and of its navigation,
    for the pages 1 to `reached`."""
    parts = {number: [f"{number}/{pages}"] for number in range(1, reached + 1)}
    for kind, name in section.lists:
        size = page_size(config, kind)
        bounds = [page_bounds(counts[name], size, number) for number in range(1, reached + 1)]
        for number, members in zip(range(1, reached + 1), lists.slices(name, bounds)):
            parts[number].append(name)
            parts[number].extend(m.member for m in members)
    return {f"items:{section.key}:{number}": content_hash(*found) for number, found in parts.items()}


def _feeds(digest: ResolvedDigest, graph: Graph, lists: OrderedLists, changes: list[ListChange], plan: _Plan) -> set[str]:
    """Each feed's entries: the newest members of its list."""
    touched = {c.list for c in changes}
    feeds = plan_feeds(digest.registry.config, digest.registry.topics.values())
    stored = graph.fingerprints_under("feed:")
    prints = {}
    for feed in feeds:
        if feed.list in touched or f"feed:{feed.path}" not in stored:
            prints[f"feed:{feed.path}"] = content_hash(*(m.member for m in lists.slice(feed.list, 0, FEED_ENTRIES)))
        plan.ensure(feed.path, f"feed {feed.list}")
    if "updates" in touched or "feed:updates.xml" not in stored:
        prints["feed:updates.xml"] = content_hash(*(m.member for m in lists.slice("updates", 0, FEED_ENTRIES)))
    gone = set(stored) - {f"feed:{feed.path}" for feed in feeds} - {"feed:updates.xml"}
    for name in gone:
        plan.drop(name.removeprefix("feed:"))
    graph.remove(gone)
    return graph.update(prints)


def _exports(graph: Graph, lists: OrderedLists, changes: list[ListChange], plan: _Plan) -> set[str]:
    """Annotation pages link their neighbours; claims.json and the collection list them all."""
    changed = set()
    touched = _merged(changes)
    if EXPORT_ENTRIES in touched:
        changed.add("export-entries")
    slugs = touched.get(ANNOTATION_PAGES, set())
    if not slugs:
        return changed
    changed.add("annotation-pages")
    # A page that came or went changes its neighbours' links: each changed slug, and those around it.
    if len(slugs) > 8:
        order = [m.member for m in lists.members(ANNOTATION_PAGES)]
    else:
        order = None
    around_of = _around(lists, slugs, order)
    reached = set()
    for slug in slugs:
        around = around_of[slug]
        reached |= around
        if slug not in around:
            plan.drop(annotation_page_path(slug))
            graph.remove([f"neighbours:{slug}"])
    for slug in reached:
        plan.ensure(annotation_page_path(slug), f"annotations {slug}")
    prints = {f"neighbours:{slug}": " ".join(neighbours(lists, slug, order)) for slug in reached}
    return changed | graph.update(prints)


def _around(lists: OrderedLists, slugs: set[str], order: list[str] | None) -> dict[str, set[str]]:
    """For each slug: the members at its place in the list and either side of it."""
    found = {}
    for slug in slugs:
        if order is not None:
            rank = bisect.bisect_left(order, slug)
            found[slug] = set(order[max(0, rank - 1):rank + 2])
        else:
            rank = lists.rank(ANNOTATION_PAGES, slug)
            found[slug] = {m.member for m in lists.slice(ANNOTATION_PAGES, max(0, rank - 1), rank + 2)}
    return found


def neighbours(lists: OrderedLists, slug: str, order: list[str] | None = None) -> tuple[str, str]:
    """The slugs of the annotation pages before and after this one ('' where there is none);
    `order`, if given, is the whole list (sorted)."""
    if order is not None:
        rank = bisect.bisect_left(order, slug)
        around = order[max(0, rank - 1):rank + 2]
    else:
        rank = lists.rank(ANNOTATION_PAGES, slug)
        around = [m.member for m in lists.slice(ANNOTATION_PAGES, max(0, rank - 1), rank + 2)]
    here = 1 if rank > 0 else 0
    return (around[0] if rank > 0 else "", around[here + 1] if len(around) > here + 1 else "")


def _assets(site: Site, graph: Graph, hashes: dict[str, str], plan: _Plan) -> set[str]:
    """The theme's and the site's static files, by the hash of the file that wins."""
    assets = static_files(site.root / "site" / "static")
    prints = {f"static:{path}": hashes.get(_label(site.root, source), str(source)) for path, source in assets.items()}
    for path, source in assets.items():
        plan.ensure(path, f"static {path}")
    for name in graph.fingerprints_under("static:"):
        if name not in prints:
            plan.drop(name.removeprefix("static:"))
    return graph.replace_under("static:", prints)


def _label(root: Path, source: Path) -> str:
    """The scan's label of a static file (inputs.input_files)."""
    from .stages.theme import builtin_theme

    theme = builtin_theme()
    if source.is_relative_to(theme):
        return f"<theme>/{source.relative_to(theme).as_posix()}"
    return source.relative_to(root).as_posix()


def _fixed_files(digest: ResolvedDigest, options: Options) -> dict[str, str]:
    """The files every site has (some only with search or a base_url), by path -> recipe."""
    files = {f"{TOPICS}index.html": "topics", f"{SOURCES}index.html": "sources", f"{STATUSES}index.html": "statuses",
             NOT_FOUND: "fixed 404.html", CLAIMS_FILE: "claims", ANNOTATIONS_FILE: "collection", ROBOTS_FILE: "robots",
             UPDATES_FEED: "updates-feed"}
    if options.search:
        files[f"{SEARCH}index.html"] = "fixed search.html"
    if digest.registry.config.base_url:
        files[SITEMAP_FILE] = "sitemap"
    return files
