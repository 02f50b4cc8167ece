"""The claimant pages: claimants/ (every claimant, with a count of claims per verdict) and
claimants/<slug>/ (their claims across the digest, newest first).

Planned from what each article contributes (`claimant_items`), so that a list of the items can be
kept per article and merged (`claimant_entries`) however the index pages are split.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .cited import CitedClaim, newest_first
from .claimants import Claimant, ClaimantDirectory
from .model import Status
from .articles import AnchoredArticle
from .verdicts import VerdictCount, count_by_status

ClaimantItem = tuple[str, tuple[int, str, int], CitedClaim]  # (claimant slug, sort key, claim)


@dataclass(frozen=True)
class ClaimantEntry:
    """The page of one claimant."""

    claimant: Claimant
    claims: tuple[CitedClaim, ...]  # newest first
    counts: tuple[VerdictCount, ...]  # per status of the scale


@dataclass(frozen=True)
class ClaimantSummary:
    claimant: Claimant
    total: int
    counts: tuple[VerdictCount, ...]


@dataclass(frozen=True)
class ClaimantIndexView:
    statuses: tuple[Status, ...]
    entries: tuple[ClaimantSummary, ...]  # by name


def claimant_items(article: AnchoredArticle, directory: ClaimantDirectory) -> tuple[ClaimantItem, ...]:
    """What one article puts on claimant pages: each of its claims that names a claimant."""
    items = []
    for claim in article.claims:
        claimant = directory.of(claim.claim)
        if claimant is not None:
            items.append((claimant.slug, newest_first(article, claim.number), CitedClaim(article, claim)))
    return tuple(items)


def claimant_entries(directory: ClaimantDirectory, items: Iterable[ClaimantItem],
                     statuses: tuple[Status, ...]) -> tuple[ClaimantEntry, ...]:
    """Every claimant with a page, by slug, with its claims sorted newest first."""
    by_slug: dict[str, list[tuple[tuple[int, str, int], CitedClaim]]] = {c.slug: [] for c in directory.claimants}
    for slug, key, cited in items:
        by_slug.setdefault(slug, []).append((key, cited))
    entries = []
    for claimant in directory.claimants:
        claims = tuple(cited for _, cited in sorted(by_slug[claimant.slug], key=lambda item: item[0]))
        entries.append(ClaimantEntry(claimant, claims, count_by_status([c.claim.status.id for c in claims], statuses)))
    return tuple(entries)


def claimant_index(entries: tuple[ClaimantEntry, ...], statuses: tuple[Status, ...]) -> ClaimantIndexView:
    """claimants/: every claimant by name, with its counts (not its claims: the index stays small)."""
    ordered = sorted(entries, key=lambda e: (e.claimant.name.casefold(), e.claimant.slug))
    return ClaimantIndexView(statuses, tuple(ClaimantSummary(e.claimant, len(e.claims), e.counts) for e in ordered))
