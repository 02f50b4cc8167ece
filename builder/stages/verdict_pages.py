"""The verdict pages: statuses/ (the scale, with how many claims have each status) and
statuses/<status-id>/ (every claim whose current verdict it is, newest first).

Planned from what each article contributes (`status_items`), merged by `status_entries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .cited import CitedClaim, newest_first
from .model import Status
from .articles import AnchoredArticle
from .verdicts import VerdictCount

StatusItem = tuple[str, tuple[int, str, int], CitedClaim]  # (status id, sort key, claim)


@dataclass(frozen=True)
class StatusEntry:
    """The page of one status."""

    status: Status
    claims: tuple[CitedClaim, ...]  # newest first


@dataclass(frozen=True)
class StatusIndexView:
    entries: tuple[VerdictCount, ...]  # the scale, best to worst


def status_items(article: AnchoredArticle) -> tuple[StatusItem, ...]:
    """What one article puts on the verdict pages: each claim, under its current status."""
    return tuple((claim.status.id, newest_first(article, claim.number), CitedClaim(article, claim))
                 for claim in article.claims)


def status_entries(statuses: tuple[Status, ...], items: Iterable[StatusItem]) -> tuple[StatusEntry, ...]:
    """Every status of the scale, in its order, with its claims newest first."""
    by_status: dict[str, list[tuple[tuple[int, str, int], CitedClaim]]] = {s.id: [] for s in statuses}
    for status_id, key, cited in items:
        by_status.setdefault(status_id, []).append((key, cited))
    return tuple(StatusEntry(s, tuple(cited for _, cited in sorted(by_status[s.id], key=lambda item: item[0])))
                 for s in statuses)


def status_index(entries: tuple[StatusEntry, ...]) -> StatusIndexView:
    return StatusIndexView(tuple(VerdictCount(e.status, len(e.claims)) for e in entries))
