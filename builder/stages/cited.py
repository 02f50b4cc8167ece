"""A claim or caveat as an index page lists it: with the article it belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from .articles import AnchoredArticle, AnchoredCaveat, AnchoredClaim


@dataclass(frozen=True)
class CitedClaim:
    article: AnchoredArticle
    claim: AnchoredClaim


@dataclass(frozen=True)
class CitedCaveat:
    article: AnchoredArticle
    caveat: AnchoredCaveat
    role: str  # "subject" (the caveat is about the source) or "noted by"


def newest_first(article: AnchoredArticle, number: int = 0) -> tuple[int, str, int]:
    """A sort key for items of index pages: newest article first (as Digest.articles), then reading order."""
    return (-article.article.date.toordinal(), article.slug, number)
