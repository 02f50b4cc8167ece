"""A claim's verdicts over time: the earlier ones in its `history`, then its current `status`.

Each earlier verdict held from its date until the next one; the current one was given on the
claim's `updated` date, which defaults to the article's date. Dates strictly increase, the current
verdict comes last, and none is given before the article was published but history steps, which
may record verdicts given elsewhere before.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from . import markup
from .diagnostics import Collector, Location, did_you_mean
from .model import Article, Claim, HistoryStep, Status


@dataclass(frozen=True)
class Verdict:
    status: Status
    date: datetime.date
    note_html: str = ""  # why (a history step's note); the current verdict's reason is the claim's note


def check_verdicts(article: Article, statuses: tuple[Status, ...], problems: Collector) -> None:
    """Every history status on the scale, dates in order, nothing dated before the article but history."""
    scale = {s.id for s in statuses}
    for claim in article.claims:
        given = claim.updated or article.date
        if claim.updated is not None and claim.updated < article.date:
            problems.error(claim.updated_at or claim.at,
                           f"'updated' {claim.updated} is before the article's date, {article.date}: the current "
                           "verdict is given on or after publication (earlier ones go in 'history')")
        previous: HistoryStep | None = None
        for step in claim.history:
            if step.status.id not in scale:
                hint = did_you_mean(step.status.id, scale) or f" (the scale is: {', '.join(sorted(scale))})"
                problems.error(step.status.at, f"unknown status '{step.status.id}'{hint}")
            if previous is not None and step.date <= previous.date:
                problems.error(step.date_at, f"history dates must increase, oldest first: {step.date} is not after "
                                             f"{previous.date} (line {previous.date_at.line})")
            elif step.date >= given:
                problems.error(step.date_at, _not_before_current(claim, step.date, given))
            previous = step
    for caveat in article.caveats:
        if caveat.date is not None and caveat.date < article.date:
            problems.error(caveat.date_at or caveat.at,
                           f"'date' {caveat.date} is before the article's date, {article.date}: a caveat's date "
                           "says when it was added to the published article")


def _not_before_current(claim: Claim, date: datetime.date, given: datetime.date) -> str:
    if claim.updated is None:
        return (f"history date {date} is not before the current verdict, given with the article on {given}: "
                "set the claim's 'updated' to the date the current verdict was given")
    return f"history date {date} is not before the current verdict, given on {given} ('updated')"


def anchor_history(claim: Claim, statuses: dict[str, Status], problems: Collector) -> tuple[Verdict, ...]:
    """The claim's earlier verdicts with their statuses and rendered notes (check_verdicts reports what is wrong)."""
    return tuple(Verdict(statuses.get(step.status.id, Status(step.status.id, step.status.id)), step.date,
                         _note_html(step.note, step.note_at, problems))
                 for step in claim.history)


def timeline(history: tuple[Verdict, ...], current: Status, given: datetime.date) -> tuple[Verdict, ...]:
    """Every verdict of a claim, oldest first, the current one last."""
    return (*history, Verdict(current, given))


def _note_html(markdown: str, at: Location, problems: Collector) -> str:
    if not markdown:
        return ""
    parsed = markup.parse(markdown)
    for _line, message in markup.link_problems(parsed):
        problems.error(at, message)
    return markup.render(parsed)


@dataclass(frozen=True)
class VerdictCount:
    status: Status
    count: int
