"""References between files: the registry every page can look up, and every id checked against it.

The registry is small and whole (the config, the sources of sources.yaml and of the articles' own
annotation files, the topics): a build always has all of it. Articles are many, so each is checked on
its own against the registry, from what it cites (`cited`); a rebuild checks the articles that
changed and those whose cited ids came or went, and nothing else. Pure data in, pure data out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Container, Iterable, Iterator, Mapping

from . import claimants as claimant_names
from .claimants import Claimant
from .crossrefs import ArticleTargets
from .diagnostics import Collector, Diagnostic, did_you_mean
from .model import DEFAULT_SOURCE_KINDS, Article, Ref, RegisteredClaimant, SiteConfig, Source, Topic


@dataclass(frozen=True)
class Registry:
    """What any page may look up by id. The mappings are not to be changed."""

    config: SiteConfig
    sources: dict[str, Source]  # sources.yaml's and the articles' own, by id
    topics: dict[str, Topic]
    claimants: Mapping[str, Claimant] = field(default_factory=dict)  # a claim's `claimant` as written -> its claimant
    targets: Mapping[str, ArticleTargets] = field(default_factory=dict)  # slug -> what links may point at in it

    def source(self, source_id: str) -> Source:
        return self.sources[source_id]

    def topic(self, topic_id: str) -> Topic:
        return self.topics[topic_id]


@dataclass(frozen=True)
class Cited:
    """The ids that one article names, each with where it is written: all its references need checking."""

    sources: tuple[Ref, ...]  # outlet, claim sources, caveat sources and noted_by
    topics: tuple[Ref, ...]  # the article's and its claims'
    statuses: tuple[Ref, ...]
    claims: tuple[Ref, ...]  # the claims its caveats qualify
    claim_ids: tuple[str, ...]  # the claims it has

    @property
    def source_ids(self) -> frozenset[str]:
        return frozenset(ref.id for ref in self.sources)

    @property
    def topic_ids(self) -> frozenset[str]:
        return frozenset(ref.id for ref in self.topics)


def cited(article: Article) -> Cited:
    """Everything the article names in sources.yaml, topics.yaml and the status scale."""
    sources = [article.source] if article.source else []
    topics = list(article.topics)
    statuses = []
    for claim in article.claims:
        sources.extend(claim.sources)
        topics.extend(claim.topics)
        statuses.append(claim.status)
    claims = []
    for caveat in article.caveats:
        sources.extend(caveat.sources + caveat.noted_by)
        claims.extend(caveat.claims)
    return Cited(tuple(sources), tuple(topics), tuple(statuses), tuple(claims), tuple(sorted(c.id for c in article.claims)))


def merge_sources(registered: Iterable[Source], defined: Iterable[tuple[str, Source]]) -> tuple[dict[str, Source], tuple[Diagnostic, ...]]:
    """sources.yaml's sources and those the articles define for themselves ((slug, source), in slug order):
    an id may be defined once; a second definition is an error at its place."""
    problems = Collector()
    sources = {s.id: s for s in registered}
    for _slug, local in defined:
        if local.id in sources:
            first = sources[local.id].at
            problems.error(local.at, f"source '{local.id}' is already defined at {first.path}:{first.line}; "
                                     "use that one, or give this source another id")
        else:
            sources[local.id] = local
    return dict(sorted(sources.items())), tuple(problems.diagnostics)


def check_references(cited: Cited, source_ids: Container[str], topic_ids: Container[str],
                     status_ids: Container[str]) -> tuple[Diagnostic, ...]:
    """Every id an article names that the registry, the scale or the article itself does not define."""
    problems = Collector()

    def check(refs: Iterable[Ref], known: Container[str], what: str, hint: Callable[[], str],
              choices: Callable[[], list[str]]) -> None:
        for ref in refs:
            if ref.id not in known:
                problems.error(ref.at, f"unknown {what} '{ref.id}'{did_you_mean(ref.id, choices()) or hint()}")

    # The lists of known ids are made only for a message: most checks pass.
    check(cited.sources, source_ids, "source", lambda: " (define it in content/sources.yaml)", lambda: sorted(source_ids))
    check(cited.topics, topic_ids, "topic", lambda: " (define it in content/topics.yaml)", lambda: sorted(topic_ids))
    check(cited.statuses, status_ids, "status", lambda: f" (the scale is: {', '.join(sorted(status_ids))})",
          lambda: sorted(status_ids))
    check(cited.claims, set(cited.claim_ids), "claim",
          lambda: f" (claims of this article: {', '.join(cited.claim_ids) or 'none'})", lambda: list(cited.claim_ids))
    return tuple(problems.diagnostics)


def unused_warnings(sources: Iterable[Source], topics: Iterable[Topic], is_cited: Callable[[str], bool],
                    is_filed: Callable[[str], bool]) -> tuple[Diagnostic, ...]:
    """Sources nobody cites and topics nothing is filed under: usually a typo or a leftover."""
    problems = Collector()
    for source in sources:
        if not is_cited(source.id):
            problems.warning(source.at, f"source '{source.id}' is never cited")
    for topic in topics:
        if not is_filed(topic.id):
            problems.warning(topic.at, f"topic '{topic.id}' has no articles or claims")
    return tuple(problems.diagnostics)


def check_source_kinds(sources: Iterable[Source], kinds: tuple[str, ...]) -> tuple[Diagnostic, ...]:
    """Every source's kind is one of the config's `source_kinds` (or of the built-in list)."""
    problems = Collector()
    own = "" if kinds == DEFAULT_SOURCE_KINDS else ": the source_kinds of site/config.yaml"
    for source in sources:
        if source.kind_at is not None and source.kind not in kinds:
            problems.error(source.kind_at, f"'kind' '{source.kind}' is not one of {', '.join(kinds)}"
                                           f"{did_you_mean(source.kind, kinds) or own}")
    return tuple(problems.diagnostics)


class ClaimantNames(Mapping):
    """A claim's `claimant` as written -> its claimant: a registered one, or one of its own (None for a
    name that makes no page). Made on demand from content/claimants.yaml: any name may be asked for."""

    def __init__(self, registered: tuple[RegisteredClaimant, ...]) -> None:
        self.registered = registered
        self._names = claimant_names.registered_names(registered)

    def __getitem__(self, name: str) -> Claimant:
        found = claimant_names.find_claimant(name, self._names) if name else None
        if found is None:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[str]:  # the registered names only: the others are any text
        return iter(sorted({claimant.name for claimant in self._names.values()}))

    def __len__(self) -> int:
        return len({claimant.name for claimant in self._names.values()})

    def __reduce__(self):  # sent to workers as what it is made from
        return (ClaimantNames, (self.registered,))
