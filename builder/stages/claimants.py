"""Who made each claim: the claimants of a digest, one page each.

A claim's `claimant` is free text. Each distinct name gets a page at claimants/<slug>/, the slug
made as `digest new` makes one from a title. content/claimants.yaml may register a claimant under
an id (its page is then claimants/<id>/), with details and the other names (aliases) that claims
give it; a claim's `claimant` may be any of them, or the id. Names are matched without regard to
case or runs of whitespace, the registered ones only: two names that are not registered and would
share a page are an error that asks to register them, since the digest cannot tell whether they
are one claimant or two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from .diagnostics import Collector, Diagnostic, Location
from .model import Article, Claim, RegisteredClaimant
from .slugs import slug_from_title

CLAIMANTS_FILE = "content/claimants.yaml"


@dataclass(frozen=True)
class Claimant:
    slug: str  # its page is claimants/<slug>/; a registered claimant's id
    name: str
    description: str = ""
    url: str = ""
    aliases: tuple[str, ...] = ()
    registered: bool = False  # in content/claimants.yaml
    # Where its url is written, for the link checker: not part of what pages show (nor of the
    # registry's hashes, graph.py), so that moving the line re-renders nothing.
    url_at: Location | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class ClaimantDirectory:
    """Every claimant with a page, and the claimant each name written in a claim stands for."""

    claimants: tuple[Claimant, ...] = ()  # by slug
    names: Mapping[str, Claimant] = field(default_factory=dict)  # `claimant` as written -> its claimant

    def of(self, claim: Claim) -> Claimant | None:
        """The claimant of a claim, or None for a claim that names none."""
        return self.names.get(claim.claimant) if claim.claimant else None


def name_key(name: str) -> str:
    """How names are compared: case and runs of whitespace do not count."""
    return " ".join(name.split()).casefold()


def registered_names(registered: Iterable[RegisteredClaimant]) -> dict[str, Claimant]:
    """name key -> claimant, for every id, name and alias in content/claimants.yaml (first one wins)."""
    names: dict[str, Claimant] = {}
    for entry in registered:
        claimant = registered_claimant(entry)
        for name in (entry.id, entry.name, *entry.aliases):
            names.setdefault(name_key(name), claimant)
    return names


def registered_claimant(entry: RegisteredClaimant) -> Claimant:
    return Claimant(entry.id, " ".join(entry.name.split()), entry.description, entry.url, entry.aliases, True,
                    entry.url_at)


def find_claimant(name: str, registered: Mapping[str, Claimant]) -> Claimant | None:
    """The claimant a name stands for: a registered one, or one of its own; None if it makes no slug."""
    found = registered.get(name_key(name))
    if found is not None:
        return found
    slug = slug_from_title(name)
    return Claimant(slug, " ".join(name.split())) if slug else None


def claimant_names(claims: Iterable[Claim], registered: Mapping[str, Claimant]) -> dict[str, Claimant]:
    """`claimant` as written -> its claimant, for the given claims (a worker renders a page from these)."""
    names: dict[str, Claimant] = {}
    for claim in claims:
        if claim.claimant and claim.claimant not in names:
            found = find_claimant(claim.claimant, registered)
            if found is not None:
                names[claim.claimant] = found
    return names


def make_directory(registered: tuple[RegisteredClaimant, ...], articles: Iterable[Article],
                   published: Iterable[str] | None = None) -> ClaimantDirectory:
    """The claimants of a digest the build has checked (article_claimants and name_clashes report what
    is wrong with a name): the registered ones, and those named in a `published` article (by slug;
    default: all), get a page; every claim's written name says whom it stands for."""
    shown = None if published is None else set(published)
    by_key = registered_names(registered)
    names: dict[str, Claimant] = {}
    with_page: dict[str, Claimant] = {}
    for article in articles:
        found = claimant_names(article.claims, by_key)
        names.update(found)
        if shown is None or article.slug in shown:
            with_page.update((claimant.slug, claimant) for claimant in found.values())
    claimants = dict(with_page)
    claimants.update((entry.id, registered_claimant(entry)) for entry in registered)
    return ClaimantDirectory(tuple(claimants[slug] for slug in sorted(claimants)), names)


def _clash(found: Claimant, ids: dict[str, RegisteredClaimant]) -> str | None:
    """Why an unregistered name cannot have the page its slug gives (a registered claimant's), or None."""
    entry = ids.get(found.slug)
    if entry is None:
        return None
    return (f"claimant '{found.name}' would share the page claimants/{found.slug}/ with the registered claimant "
            f"'{entry.id}' ({entry.name}, {CLAIMANTS_FILE}:{entry.at.line}): add '{found.name}' to its "
            "aliases if it is the same claimant, or register it under an id of its own")


def _check_registry(registered: tuple[RegisteredClaimant, ...], problems: Collector) -> None:
    """A name or alias may stand for one registered claimant only."""
    owner: dict[str, RegisteredClaimant] = {}
    for entry in registered:
        owner.setdefault(name_key(entry.id), entry)
    for entry in registered:
        spelled = [(entry.name, entry.name_at or entry.at)] + list(zip(entry.aliases, entry.alias_at or
                                                                       [entry.at] * len(entry.aliases)))
        for name, at in spelled:
            first = owner.setdefault(name_key(name), entry)
            if first.id != entry.id:
                problems.error(at, f"'{name}' already stands for the claimant '{first.id}' "
                                   f"({CLAIMANTS_FILE}:{first.at.line}): a name or alias may belong to one claimant only")


# Per article, and across articles: the checks of every claimant name, made so that a build can run
# them on the articles that changed, with the names of the others kept between builds.

@dataclass(frozen=True)
class NamedClaimant:
    """A claim's claimant, as one article names it."""

    slug: str  # of the claimant's page
    name: str  # as the page shows it
    registered: bool
    claim_id: str
    at: Location  # of the claim's `claimant`


def article_claimants(article: Article, registered: tuple[RegisteredClaimant, ...]
                      ) -> tuple[tuple[NamedClaimant, ...], tuple[Diagnostic, ...]]:
    """The claimants an article's claims name, and the problems that this article alone shows: a name
    that makes no page address, an unregistered name whose page is a registered claimant's."""
    problems = Collector()
    by_key = registered_names(registered)
    ids = {entry.id: entry for entry in registered}
    named = []
    for claim in article.claims:
        if not claim.claimant:
            continue
        at = claim.claimant_at or claim.at
        found = find_claimant(claim.claimant, by_key)
        if found is None:
            problems.error(at, _no_address(claim.claimant))
            continue
        if not found.registered:
            clash = _clash(found, ids)
            if clash:
                problems.error(at, clash)
                continue
        named.append(NamedClaimant(found.slug, found.name, found.registered, claim.id, at))
    return tuple(named), tuple(problems.diagnostics)


def name_clashes(named: Iterable[NamedClaimant]) -> tuple[Diagnostic, ...]:
    """Unregistered names that would share a page, given every claim naming that page in article
    order: the first name keeps it, the others are errors that ask to register them."""
    problems = Collector()
    first: dict[str, NamedClaimant] = {}
    reported: set[tuple[str, str]] = set()
    for claimant in named:
        if claimant.registered:
            continue
        other = first.setdefault(claimant.slug, claimant)
        if other.name != claimant.name and (claimant.name, claimant.slug) not in reported:
            reported.add((claimant.name, claimant.slug))
            problems.error(claimant.at, f"claimants '{claimant.name}' and '{other.name}' ({other.at.path}:{other.at.line}) "
                                        f"would share the page claimants/{claimant.slug}/: register them in "
                                        f"{CLAIMANTS_FILE}, as one claimant with the other name among its aliases, "
                                        "or as two with ids of their own")
    return tuple(problems.diagnostics)


def registry_problems(registered: tuple[RegisteredClaimant, ...]) -> tuple[Diagnostic, ...]:
    """A name or alias may stand for one registered claimant only."""
    problems = Collector()
    _check_registry(registered, problems)
    return tuple(problems.diagnostics)


def unnamed_warnings(registered: tuple[RegisteredClaimant, ...], is_named: Callable[[str], bool]) -> tuple[Diagnostic, ...]:
    """A registered claimant that no claim names (`is_named` by its id): usually a typo, or a leftover."""
    problems = Collector()
    for entry in registered:
        if not is_named(entry.id):
            problems.warning(entry.at, f"claimant '{entry.id}' is never named in a claim")
    return tuple(problems.diagnostics)


def _no_address(name: str) -> str:
    return (f"claimant '{name}' has no Latin letters or digits to make the address of its page from: register it "
            f"in {CLAIMANTS_FILE} under an id, e.g. 'some-id: {{name: {' '.join(name.split())}}}', and name it by "
            "that id or that name")
