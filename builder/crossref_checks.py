"""Links in content checked against the digest (stages/crossrefs.py), for the articles that changed
and for those whose links lead to something that changed.

Each article with links keeps a check node (`links:<slug>`) that read the targets of the articles it
links into and the registries; when one of those changes, its links are checked again from its
stored summary. Link warnings (a relative link to no page) are kept with the node and said on every
build, as the articles' own problems are.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Collection
from typing import Iterable, Iterator

from .analysis import Articles, ResolvedDigest
from .engine.graph import Graph
from .engine.ordered import Member
from .engine.session import Session
from .index import DigestIndex
from .stages import crossrefs
from .stages.crossrefs import ContentLink, LinkableSite
from .stages.diagnostics import Collector, ContentErrors, Diagnostic, Location

LINK_WARNINGS = "link-warnings"  # list: owner 'links:<slug>', payload: a warning as JSON
# What a check reads besides the targets of the articles it links into: any change there checks again.
WHOLE = ("source:*", "topic:*", "claimant-pages", "sections")


def check_content_links(articles: Articles, digest: ResolvedDigest, session: Session, changed: set[str],
                        files: set[str]) -> tuple[Diagnostic, ...]:
    """Check the links of the articles that need it; ContentErrors for errors; every link warning of the digest."""
    graph, index = session.graph, DigestIndex(session)
    to_check: dict[str, tuple[ContentLink, ...]] = {a.slug: a.links for a in articles.analysed.values() if a.published}
    for node in sorted(graph.readers(changed)):
        slug = node.removeprefix("links:")
        if node.startswith("links:") and slug not in to_check and slug in articles.keys:
            summary = index.summary(articles.keys[slug])
            to_check[slug] = summary.links if summary is not None else ()
    for a in articles.analysed.values():
        if not a.published:
            to_check.pop(a.slug, None)
            _forget(session, a.slug)
    for slug in articles.removed:
        _forget(session, slug)
    site = _linkable(articles, digest, graph)
    errors: list[Diagnostic] = []
    for slug, links in sorted(to_check.items()):
        problems = Collector()
        if links:
            crossrefs.check_links(slug, links, site, problems, files)
        errors += problems.errors
        warnings = [d for d in problems.diagnostics if d.severity == "warning"]
        session.lists.replace(f"links:{slug}", [Member(LINK_WARNINGS, f"{slug} {n:05d}", f"{slug}#{n}", _json(d))
                                                for n, d in enumerate(warnings)])
        if links:
            graph.record(f"links:{slug}", [*WHOLE, *(f"targets:{target}" for target in sorted(_linked_articles(slug, links)))])
        else:
            graph.forget([f"links:{slug}"])
    if errors:
        raise ContentErrors(errors)
    return tuple(_diagnostic(m.payload) for m in session.lists.members(LINK_WARNINGS))


def _forget(session: Session, slug: str) -> None:
    session.lists.replace(f"links:{slug}", [])
    session.graph.forget([f"links:{slug}"])


def _linkable(articles: Articles, digest: ResolvedDigest, graph: Graph) -> LinkableSite:
    registry = digest.registry
    base_path = urllib.parse.urlsplit(registry.config.base_url).path if registry.config.base_url else None
    return LinkableSite(registry.targets, _Drafts(articles, registry.targets), frozenset(registry.sources),
                        frozenset(registry.topics), _ClaimantPages(graph), tuple(s.id for s in registry.config.statuses),
                        None if base_path is None else base_path if base_path.endswith("/") else base_path + "/")


def _linked_articles(slug: str, links: Iterable[ContentLink]) -> set[str]:
    """The articles an article's links point into (by id, or by a relative path into articles/)."""
    found = set()
    for link in links:
        if link.kind == "id":
            parsed = crossrefs.parse_id_link(link.href)
            if parsed is not None and parsed[0] == "article":
                found.add(parsed[1])
        elif link.kind == "relative":
            target = crossrefs.site_path_within(urllib.parse.unquote(urllib.parse.urlsplit(link.href).path),
                                                f"articles/{slug}/")
            parts = (target or "").split("/")
            if len(parts) >= 2 and parts[0] == "articles" and parts[1]:
                found.add(parts[1])
    return found


class _Drafts(Collection):
    """The articles that exist but are not published."""

    def __init__(self, articles: Articles, published) -> None:
        self.articles = articles
        self.published = published

    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and slug in self.articles.keys and slug not in self.published

    def __iter__(self) -> Iterator[str]:
        return (slug for slug in sorted(self.articles.keys) if slug in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _ClaimantPages(Collection):
    """The slugs of the claimants that have a page (rebuild.py keeps 'claimant:<slug>')."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def __contains__(self, slug: object) -> bool:
        return isinstance(slug, str) and bool(self.graph.fingerprints([f"claimant:{slug}"]))

    def __iter__(self) -> Iterator[str]:
        return (name.removeprefix("claimant:") for name in sorted(self.graph.fingerprints_under("claimant:")))

    def __len__(self) -> int:
        return len(self.graph.fingerprints_under("claimant:"))


def _json(diagnostic: Diagnostic) -> bytes:
    return json.dumps([*diagnostic.at, diagnostic.message, diagnostic.severity]).encode()


def _diagnostic(data: bytes) -> Diagnostic:
    path, line, column, message, severity = json.loads(data)
    return Diagnostic(Location(path, line, column), message, severity)
