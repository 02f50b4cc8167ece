"""Reading the site, analysing the articles that changed, and checking every reference: up to the resolved digest.

`analyse_articles` runs the per-article task (tasks.py) for each new or changed article, memoised
under its article key, on any executor, and records each result in the digest index (index.py) as it
arrives; the pages and exports the workers rendered go straight into the staging folder. Articles
that did not change are not read at all. `resolve_digest` then builds the registry and checks every
reference: those of the articles that changed, and of the unchanged ones whose cited ids went away
(found through the index's reverse reads), from their stored results.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable

import jinja2

from .engine.memo import Memoised
from .engine.session import Session
from .engine.store import content_hash
from .engine.ordered import ListChange
from .index import CLAIMANT_NAMES, ArticleChange, DigestIndex, named_claimant
from .inputs import Keys, Options
from .progress import Progress
from .stages.content import Registries, article_slugs, load_registries, read_article_files
from .stages.diagnostics import ContentErrors, Diagnostic
from .stages.exports import article_export
from .stages.model import RegisteredClaimant, SiteConfig, Source, Topic
from .stages.output import Staging
from .stages.pages import PAGE_TEMPLATES
from .compiled import StoredBytecode
from .stages.render import environment_for, make_environment, template_diagnostic, template_uses
from .stages import claimants
from .stages.claimants import NamedClaimant
from .stages.crossrefs import ArticleTargets, ContentLink
from .stages.resolve import (ClaimantNames, Cited, Registry, check_references, check_source_kinds, merge_sources,
                             unused_warnings)
from .stages.theme import TemplateSet, read_templates
from .tasks import ArticleFilesOut, ArticleJob, RenderContext, StoredArticle, analyse, article_chunk, lookup_names

@dataclass(frozen=True)
class Site:
    """What a build reads besides the articles' own files."""

    root: Path
    keys: Keys
    registries: Registries
    templates: TemplateSet
    template_fingerprints: dict[str, str]  # page template -> fingerprint of it and every template it uses
    slugs: dict[str, bool]  # slug -> whether it has an annotation file
    folder_problems: tuple[Diagnostic, ...]

    @property
    def templates_key(self) -> str:
        return content_hash(*(f"{name}={fp}" for name, fp in sorted(self.template_fingerprints.items())))


@dataclass(frozen=True)
class Analysed:
    """What the build keeps in memory of a new or changed article (its result is in the store)."""

    slug: str
    key: str
    load_problems: tuple[Diagnostic, ...]
    anchor_problems: tuple[Diagnostic, ...]
    cited: Cited | None
    local_sources: tuple[Source, ...]
    published: bool
    built: bool  # it loaded and anchored without problems
    change: ArticleChange | None  # how the index changed (None if it did not build)
    page_reads: tuple[str, ...] | None  # what the page a worker rendered read (None: none was rendered)
    exported: tuple[str, ...] | None  # the topics its exports named, if this build made them (None: it did not)
    tally: tuple[int, int, int] | None  # its claims, caveats and annotations (None: not published)
    named: tuple[NamedClaimant, ...] = ()  # the claimants its claims name
    targets: ArticleTargets | None = None  # what links may point at in it (None: not published)
    links: tuple[ContentLink, ...] = ()  # its id and relative links


@dataclass(frozen=True)
class Articles:
    analysed: dict[str, Analysed]  # new or changed, by slug
    removed: tuple[str, ...]  # slugs the last build had and this one has not
    keys: dict[str, str]  # slug -> article key of every article
    start_registry: Registry | None  # what the workers rendered with


def read_site(root: Path, keys: Keys, session: Session | None = None) -> Site:
    """The config, registries and templates, and which articles there are."""
    registries = load_registries(root)
    templates = read_templates(root / "templates")
    uses = _template_uses(root, templates, session)
    fingerprints = {}
    for name, used in uses.items():
        parts = [f"{other}\n{found[0] if (found := templates.source(other)) else chr(0) + 'missing'}" for other in used]
        fingerprints[name] = content_hash(*parts)
    slugs, folder_problems = article_slugs(root)
    return Site(root, keys, registries, templates, fingerprints, slugs, folder_problems)


def _template_uses(root: Path, templates: TemplateSet, session: Session | None) -> dict[str, tuple[str, ...]]:
    """Which templates each page template uses, kept by the templates' text: parsing them all again
    would cost every build a fifth of a second."""
    key = content_hash(*(f"{name}\0{source}" for name, source, _ in templates.templates))
    memo = session.memo("template-uses") if session is not None else None
    if memo is not None and (found := memo.get(key)) is not None:
        return found.value
    try:
        uses = template_uses(make_environment(templates), templates, PAGE_TEMPLATES)
    except jinja2.TemplateError as error:  # a site's own template is content too: located, no traceback
        raise ContentErrors((template_diagnostic(error, root),)) from error
    if memo is not None:
        memo.put(key, Memoised(uses))
    return uses


def start_registry(site: Site, index: DigestIndex, changed: set[str]) -> Registry | None:
    """The registry as known before the changed articles are read: what their pages are first rendered
    with. It has no article's targets: a page with an id link into another article is rendered again
    by the build (see rebuild.py)."""
    config = site.registries.config
    if config is None:
        return None
    sources, _ = merge_sources(site.registries.sources, index.local_sources(except_slugs=changed))
    return Registry(config, sources, {t.id: t for t in site.registries.topics}, ClaimantNames(site.registries.claimants))


def analyse_articles(root: Path, site: Site, keys: dict[str, str], session: Session, pool: Executor | None,
                     staging: Staging | None, progress: Progress, options: Options) -> Articles:
    """Run the task of every new or changed article; record each in the index as it comes. Without
    `staging` (digest check) nothing is rendered."""
    index = DigestIndex(session)
    stored = index.article_keys()
    changed = [slug for slug in sorted(keys) if stored.get(slug) != keys[slug]]
    removed = tuple(sorted(set(stored) - set(keys)))
    registry = start_registry(site, index, set(changed))
    config = site.registries.config
    analysed: dict[str, Analysed] = {}
    if config is None or not changed:
        return Articles(analysed, removed, keys, registry)
    context = RenderContext(registry, site.templates, site.templates_key, options.search) if staging is not None else None
    if context is not None:  # tasks run here (without a pool) share the build's compiled templates
        environment_for(site.templates, site.templates_key, StoredBytecode(session.store))
    slug_of = {keys[slug]: slug for slug in changed}
    jobs = [(keys[slug], _job_maker(root, slug, site.slugs[slug], config, site.registries.claimants, context))
            for slug in changed]
    progress.stage("analysing", total=len(jobs), unit="articles")
    for computed in index.results.map(article_chunk, jobs, pool):
        slug = slug_of[computed.key]
        rendered = computed.transient if computed.computed else None
        analysed[slug] = _record(index, slug, computed.key, computed.result.value, rendered, staging, options, registry)
        progress.advance()
    return Articles(analysed, removed, keys, registry)


def _job_maker(root: Path, slug: str, has_annotations: bool, config: SiteConfig,
               claimants: tuple[RegisteredClaimant, ...], context: RenderContext | None) -> Callable[[], ArticleJob]:
    return lambda: ArticleJob(read_article_files(root, slug, has_annotations), config, claimants, context)


def _record(index: DigestIndex, slug: str, key: str, stored: StoredArticle, rendered: ArticleFilesOut | None,
            staging: Staging | None, options: Options, registry: Registry | None) -> Analysed:
    """Put a built article into the index, and what a worker rendered of it into staging (its exports
    are made here if the worker did not make them)."""
    summary = stored.summary
    published = summary.built and (options.include_drafts or not summary.draft)
    change = index.put(slug, key, summary, stored.listing, published) if summary.built else None
    page_reads = None
    exported = None
    if staging is not None and published and registry is not None:
        if rendered is not None and rendered.page is not None:
            staging.put(rendered.page.path, rendered.page.data)
            page_reads = article_page_reads(slug, summary.shown_sources, rendered.page.lookups)
        export = rendered.export if rendered is not None else None
        if export is None and all(t in registry.topics for t in summary.claim_topics):
            export = article_export(registry.config, registry.topics, registry.claimants, stored.load().article)
        if export is not None:
            staging.put(export.data.path, export.data.data)
            change = replace(change, lists=change.lists + tuple(index.put_exports(slug, export.entry, export.annotations)))
            exported = tuple(topic_id for _, topic_id in export.lookups)
    elif change is not None and not published:
        change = replace(change, lists=change.lists + tuple(index.put_exports(slug, None, None)))
    return Analysed(slug, key, summary.load_problems, summary.anchor_problems, summary.cited, summary.local_sources,
                    published, summary.built, change, page_reads, exported, summary.counts if published else None,
                    summary.named, summary.targets if published else None, summary.links)


def article_page_reads(slug: str, shown_sources: Iterable[str], lookups: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """The names an article's page depends on, besides the site and its template: the article, the
    sources it shows whole, and every entry its templates looked up."""
    return tuple(sorted({f"article:{slug}", *(f"source:{source_id}" for source_id in shown_sources), *lookup_names(lookups)}))


# Resolving: the registry, and every reference checked.

@dataclass(frozen=True)
class ResolvedDigest:
    registry: Registry
    changed: frozenset[str]  # names whose fingerprint this build changed: registry entries, articles, listings
    removed_lists: tuple[ListChange, ...]  # where the removed articles left the index lists
    warnings: tuple[Diagnostic, ...]
    articles: int  # published ones
    claims: int
    caveats: int
    annotations: int  # claims and anchored caveats


def resolve_digest(site: Site, articles: Articles, session: Session, options: Options) -> ResolvedDigest:
    """The registry, every reference checked, the index brought up to date; ContentErrors if anything is wrong."""
    index = DigestIndex(session)
    errors = [d for d in (*site.folder_problems, *site.registries.diagnostics) if d.severity == "error"]
    errors += [d for a in articles.analysed.values() for d in a.load_problems if d.severity == "error"]
    if errors:  # shape errors stop before references are checked: those wait for the next run
        raise ContentErrors(errors)
    config = site.registries.config
    assert config is not None
    defined = index.local_sources(except_slugs=[*articles.analysed, *articles.removed]) + [
        (a.slug, source) for a in articles.analysed.values() for source in a.local_sources]
    sources, problems = merge_sources(site.registries.sources, sorted(defined, key=lambda item: (item[0], item[1].id)))
    topics = {t.id: t for t in site.registries.topics}
    fresh = {a.slug: a.targets for a in articles.analysed.values()}
    registry = Registry(config, sources, topics, ClaimantNames(site.registries.claimants),
                        index.targets(fresh, {slug: key for slug, key in articles.keys.items() if slug not in articles.removed}))
    diagnostics = [*problems, *(d for a in articles.analysed.values() for d in a.anchor_problems)]
    diagnostics += check_source_kinds(site.registries.sources, config.source_kinds)
    diagnostics += claimants.registry_problems(site.registries.claimants)
    diagnostics += _name_clashes(articles, index, session)
    # A page that shows a registry entry depends on its fields; a check depends on its existence.
    changed = session.graph.replace_under("source:", registry_fingerprints("source", sources))
    changed |= session.graph.replace_under("topic:", registry_fingerprints("topic", topics))
    diagnostics += _check_references(articles, registry, changed, index, site)
    if any(d.severity == "error" for d in diagnostics):
        raise ContentErrors([d for d in diagnostics if d.severity == "error"])
    published, claims, caveats, annotations = index.tally(
        {a.slug: a.tally for a in articles.analysed.values() if a.tally is not None},
        [*(a.slug for a in articles.analysed.values() if a.tally is None), *articles.removed])
    removed_lists = []
    for slug in articles.removed:
        changed |= {f"article:{slug}", f"listing:{slug}", f"targets:{slug}"}
        removed_lists += index.remove(slug).lists
    for a in articles.analysed.values():
        changed.add(f"targets:{a.slug}")  # links into it are checked again (a claim may have been renamed)
        if a.change is not None:
            changed.add(f"article:{a.slug}")
            if a.change.listing_changed:
                changed.add(f"listing:{a.slug}")
    warnings = unused_warnings(sources.values(), topics.values(),
                               lambda source_id: session.graph.is_read(f"cites-source:{source_id}", "check:"),
                               lambda topic_id: session.graph.is_read(f"cites-topic:{topic_id}", "check:"))
    warnings += claimants.unnamed_warnings(site.registries.claimants,
                                           lambda claimant_id: session.lists.count(f"{CLAIMANT_NAMES}{claimant_id}") > 0)
    if options.strict and warnings:
        raise ContentErrors(warnings)
    return ResolvedDigest(registry, frozenset(changed), tuple(removed_lists), tuple(sorted(warnings)),
                          published, claims, caveats, annotations)


def registry_fingerprints(kind: str, entries: dict[str, Source] | dict[str, Topic]) -> dict[str, str]:
    """'<kind>:<id>' -> a hash of the entry's fields (not where it is written: moving it changes no page),
    and '<kind>:*' -> a hash of them all (for templates that list the whole registry)."""
    prints = {f"{kind}:{entry_id}": content_hash(repr(replace(entry, at=None))) for entry_id, entry in entries.items()}
    prints[f"{kind}:*"] = content_hash(*(f"{name}={fp}" for name, fp in sorted(prints.items())))
    return prints


def _name_clashes(articles: Articles, index: DigestIndex, session: Session) -> tuple[Diagnostic, ...]:
    """Unregistered names that would share a claimant's page: among every article's claims that name
    a page that a changed article names (or named)."""
    pages = {named.slug for a in articles.analysed.values() for named in a.named}
    changes = [c for a in articles.analysed.values() if a.change for c in a.change.lists]
    pages |= {c.list.removeprefix(CLAIMANT_NAMES) for c in changes if c.list.startswith(CLAIMANT_NAMES)}
    found: list[Diagnostic] = []
    for slug in sorted(pages):
        found += claimants.name_clashes(named_claimant(m.payload) for m in session.lists.members(f"{CLAIMANT_NAMES}{slug}"))
    return tuple(found)


def _check_references(articles: Articles, registry: Registry, changed: set[str], index: DigestIndex,
                      site: Site) -> list[Diagnostic]:
    """Check the new and changed articles, and the unchanged ones that cite an id that went away."""
    gone = [f"cites-{name}" for name in changed
            if not name.endswith(":*") and name.split(":", 1)[1] not in
            (registry.sources if name.startswith("source:") else registry.topics)]
    to_check: dict[str, Cited] = {a.slug: a.cited for a in articles.analysed.values() if a.cited is not None}
    for node in sorted(index.graph.readers(gone)):
        slug = node.removeprefix("check:")
        if slug not in to_check and slug in articles.keys:
            summary = index.summary(articles.keys[slug]) or analyse(
                read_article_files(site.root, slug, site.slugs[slug]), registry.config)[0]
            if summary.cited is not None:
                to_check[slug] = summary.cited
    status_ids = {s.id for s in registry.config.statuses}
    diagnostics: list[Diagnostic] = []
    for slug, cited in sorted(to_check.items()):
        diagnostics += check_references(cited, registry.sources, registry.topics, status_ids)
        index.graph.record(f"check:{slug}", [f"cites-source:{i}" for i in sorted(cited.source_ids)] +
                           [f"cites-topic:{i}" for i in sorted(cited.topic_ids)])
    return diagnostics
