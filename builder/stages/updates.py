"""What changed after publication: verdicts given or changed, and dated corrections.

A claim with a `history`, or with an `updated` date of its own, contributes one event per verdict:
each step of its history, then the step to its current verdict on `updated`. A caveat of kind
`correction` with a `date` contributes one event. A claim with neither (its verdict given with the
article) contributes none. The article page shows the events dated after the article in its
"Updated" notice; updates/ and updates.xml list every event of the digest, newest first.

Each article's events come from `update_events(article)` alone, so the digest's list can be kept
per article (each event's `sort_key` orders them) however the updates pages are split.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .model import Status
from .paths import article_url
from .articles import AnchoredArticle, AnchoredCaveat, AnchoredClaim


@dataclass(frozen=True)
class UpdateEvent:
    date: datetime.date
    article: AnchoredArticle
    claim: AnchoredClaim | None = None  # a verdict given or changed ...
    caveat: AnchoredCaveat | None = None  # ... or a correction
    previous: Status | None = None  # the verdict before (None: the claim's first)
    status: Status | None = None  # the verdict given
    note_html: str = ""  # why: the history step's note (the claim's note for its current verdict), or the correction's text
    step: int = 0  # 0, 1, ... along the claim's verdicts

    @property
    def kind(self) -> str:
        return "verdict" if self.claim is not None else "correction"

    @property
    def note_id(self) -> str:
        """The note on the article page the event is about."""
        return self.claim.note_id if self.claim is not None else self.caveat.note_id  # type: ignore[union-attr]

    @property
    def target(self) -> str:
        """The site path the event links to: its claim's or caveat's note, on the article page."""
        return f"{article_url(self.article.slug)}#{self.note_id}"

    @property
    def event_id(self) -> str:
        """Unique in the digest, and the same on every build: the note and the step."""
        return f"{self.article.slug}/{self.note_id}/{self.step}"

    @property
    def sort_key(self) -> tuple:
        """Newest first; on one day, newest article first, then reading order, later steps first."""
        place = (0, self.claim.number) if self.claim is not None else (1, len(self.caveat.letter), self.caveat.letter)  # type: ignore[union-attr]
        return (-self.date.toordinal(), -self.article.article.date.toordinal(), self.article.slug, place, -self.step)


@dataclass(frozen=True)
class UpdatesView:
    events: tuple[UpdateEvent, ...]  # newest first


def update_events(article: AnchoredArticle) -> tuple[UpdateEvent, ...]:
    """Every verdict change and dated correction of one article, in the order updates pages list them."""
    events = []
    for claim in article.claims:
        if not claim.history and claim.claim.updated is None:
            continue
        previous = None
        for step, verdict in enumerate(claim.verdicts):
            current = step == len(claim.history)  # its reason is the claim's own note
            events.append(UpdateEvent(verdict.date, article, claim=claim, previous=previous, status=verdict.status,
                                      note_html=claim.note_html if current else verdict.note_html, step=step))
            previous = verdict.status
    for caveat in article.caveats:
        if caveat.caveat.kind == "correction" and caveat.caveat.date is not None:
            events.append(UpdateEvent(caveat.caveat.date, article, caveat=caveat, note_html=caveat.text_html))
    return tuple(sorted(events, key=lambda e: e.sort_key))


def since_publication(article: AnchoredArticle) -> tuple[UpdateEvent, ...]:
    """The events dated after the article: what its "Updated" notice says, newest first."""
    return tuple(e for e in update_events(article) if e.date > article.article.date)


def last_modified(article: AnchoredArticle) -> datetime.date | None:
    """The date of the article's latest verdict change or correction (not before its own), or None."""
    events = update_events(article)
    return max(article.article.date, max(e.date for e in events)) if events else None


def event_title(event: UpdateEvent) -> str:
    """'Verdict changed to False: <the claim>', 'Rated Unconfirmed: ...', 'Correction to “<title>”'."""
    if event.claim is None:
        return f"Correction to “{event.article.article.title}”"
    assert event.status is not None
    claim = event.claim.claim.claim or event.claim.claim.selector.quote
    if event.previous is None:
        return f"Rated {event.status.label}: {claim}"
    if event.previous.id == event.status.id:
        return f"Verdict reviewed, still {event.status.label}: {claim}"
    return f"Verdict changed to {event.status.label}: {claim}"
