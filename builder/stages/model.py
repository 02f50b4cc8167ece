"""The digest's data, as read from content: frozen values that later stages map to new ones."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from typing import NamedTuple

from .anchoring import Selector
from .diagnostics import Location


class Ref(NamedTuple):  # a tuple, like Location: there is one for every id written in content
    """An id written in content, with where it was written (for 'unknown id' errors)."""

    id: str
    at: Location


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    description: str = ""
    rating: int | None = None  # 1 (worst) to 5 (best) for ClaimReview markup; None: no review is published


RATING_WORST, RATING_BEST = 1, 5

DEFAULT_STATUSES = (
    Status("confirmed", "Confirmed", "Independently confirmed by the sources cited.", 5),
    Status("unconfirmed", "Unconfirmed", "Reported, but not independently confirmed.", 3),
    Status("disputed", "Disputed", "Contested by another source or contradicted by the record.", 2),
    Status("false", "False", "Contradicted by reliable evidence.", 1),
)


DEFAULT_SOURCE_KINDS = ("state-media", "official", "social-media", "wire", "newspaper", "broadcaster",
                        "analyst", "think-tank", "other")


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str = ""
    language: str = "en"
    base_url: str = ""
    statuses: tuple[Status, ...] = DEFAULT_STATUSES
    page_size_articles: int = 20  # items per index page (see pages.py)
    page_size_claims: int = 50
    source_kinds: tuple[str, ...] = DEFAULT_SOURCE_KINDS


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    kind: str
    url: str
    description: str
    at: Location
    kind_at: Location | None = None  # where `kind` was written: kinds are checked against the config's list
    url_at: Location | None = None


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    description: str
    at: Location


@dataclass(frozen=True)
class Citation:
    """One document of a source that a claim or caveat cites, with where an archived copy is kept."""

    source: Ref
    url: str = ""
    title: str = ""
    archive_url: str = ""
    archive_date: datetime.date | None = None
    accessed: datetime.date | None = None
    url_at: Location | None = None
    archive_url_at: Location | None = None


@dataclass(frozen=True)
class HistoryStep:
    """An earlier verdict on a claim: its status from `date` until the next step."""

    date: datetime.date
    status: Ref
    note: str  # Markdown
    at: Location  # of the step
    date_at: Location
    note_at: Location


@dataclass(frozen=True)
class Claim:
    id: str
    selector: Selector
    claim: str
    claimant: str
    status: Ref
    sources: tuple[Ref, ...]
    topics: tuple[Ref, ...]
    note: str  # Markdown
    at: Location  # of the claim's id
    quote_at: Location
    note_at: Location
    updated: datetime.date | None = None  # when the current verdict was given; None: the article's date
    updated_at: Location | None = None
    history: tuple[HistoryStep, ...] = ()  # earlier verdicts, oldest first
    citations: tuple[Citation, ...] = ()  # the documents cited among `sources`, in order
    claimant_at: Location | None = None

    @functools.cached_property  # index pages and page keys ask for these many times
    def source_ids(self) -> tuple[str, ...]:
        return tuple([ref.id for ref in self.sources])

    @functools.cached_property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple([ref.id for ref in self.topics])


@dataclass(frozen=True)
class Caveat:
    id: str
    kind: str  # omission | contradiction | context | correction
    text: str  # Markdown
    claims: tuple[Ref, ...]
    sources: tuple[Ref, ...]
    noted_by: tuple[Ref, ...]
    selector: Selector | None
    at: Location  # of the caveat's id
    quote_at: Location
    text_at: Location
    date: datetime.date | None = None  # when it was added; None: with the article
    date_at: Location | None = None
    citations: tuple[Citation, ...] = ()

    @functools.cached_property
    def claim_ids(self) -> tuple[str, ...]:
        return tuple([ref.id for ref in self.claims])

    @functools.cached_property
    def source_ids(self) -> tuple[str, ...]:
        return tuple([ref.id for ref in self.sources])

    @functools.cached_property
    def noted_by_ids(self) -> tuple[str, ...]:
        return tuple([ref.id for ref in self.noted_by])

    @property
    def is_discrepancy(self) -> bool:
        return self.kind in ("omission", "contradiction")


@dataclass(frozen=True)
class Article:
    slug: str
    path: str  # of the Markdown file, relative to the site root
    title: str
    date: datetime.date
    topics: tuple[Ref, ...]
    summary: str
    source: Ref | None
    draft: bool
    body: str  # Markdown, front matter removed
    body_line: int  # 1-based line of the file where the body starts
    claims: tuple[Claim, ...]
    caveats: tuple[Caveat, ...]
    local_sources: tuple[Source, ...]
    annotations_path: str | None

    @functools.cached_property
    def topic_ids(self) -> tuple[str, ...]:
        return tuple([ref.id for ref in self.topics])


@dataclass(frozen=True)
class RegisteredClaimant:
    """An entry of content/claimants.yaml: details of a claimant, and the other names it goes by."""

    id: str
    name: str
    description: str
    url: str
    aliases: tuple[str, ...]
    at: Location  # of the id
    alias_at: tuple[Location, ...] = ()
    name_at: Location | None = None
    url_at: Location | None = None
