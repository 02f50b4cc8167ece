"""Cited documents: the exact page or file of a source that a claim or caveat relies on.

A `sources` entry is a source id, or a citation: the id with the document's `url`, `title`, an
archived copy (`archive_url`, `archive_date`) and when the editor read it (`accessed`). Notes show
the title with links to the original and to the archived copy; each source's page lists every
document of it that the digest cites (the link checker's stages/links.py lists their URLs).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Iterable

from .cited import CitedCaveat, CitedClaim, newest_first
from .model import Citation, Ref
from .articles import AnchoredArticle


@dataclass(frozen=True)
class CitedSource:
    """One entry of a claim's or caveat's `sources`, as its note shows it."""

    source_id: str
    citation: Citation | None  # None, or a citation without a document: the source alone


def cited_sources(refs: tuple[Ref, ...], citations: tuple[Citation, ...]) -> tuple[CitedSource, ...]:
    """The `sources` of a claim or caveat in order, each with the document cited, if any."""
    documents = {citation.source: citation for citation in citations if is_document(citation)}
    return tuple(CitedSource(ref.id, documents.get(ref)) for ref in refs)


def is_document(citation: Citation) -> bool:
    return bool(citation.url or citation.title or citation.archive_url)


@dataclass(frozen=True)
class CitedDocument:
    """A document of a source, with every claim and caveat of the digest that cites it."""

    source_id: str
    url: str
    title: str
    archive_url: str
    archive_date: datetime.date | None
    accessed: datetime.date | None
    cited_by: tuple[CitedClaim | CitedCaveat, ...]  # newest article first, then reading order


DocumentItem = tuple[str, tuple, Citation, "CitedClaim | CitedCaveat"]  # (source id, sort key, citation, by)


def document_items(article: AnchoredArticle) -> tuple[DocumentItem, ...]:
    """What one article puts on source pages: each document its claims and caveats cite."""
    items: list[DocumentItem] = []
    for claim in article.claims:
        for citation in claim.claim.citations:
            if is_document(citation):
                items.append((citation.source.id, newest_first(article, claim.number), citation,
                              CitedClaim(article, claim)))
    for index, caveat in enumerate(article.caveats):
        for citation in caveat.caveat.citations:
            if is_document(citation):
                items.append((citation.source.id, newest_first(article, len(article.claims) + index + 1), citation,
                              CitedCaveat(article, caveat, "subject")))
    return tuple(items)


def documents_by_source(items: Iterable[DocumentItem]) -> dict[str, tuple[CitedDocument, ...]]:
    """source id -> its cited documents, by title (or address); one entry per document, however often cited."""
    grouped: dict[str, dict[tuple, list[tuple[tuple, CitedClaim | CitedCaveat]]]] = {}
    for source_id, key, citation, cited in items:
        document = (citation.url, citation.title, citation.archive_url, citation.archive_date, citation.accessed)
        by = grouped.setdefault(source_id, {}).setdefault(document, [])
        if not any(other is cited or _same_note(other, cited) for _, other in by):
            by.append((key, cited))
    return {source_id: tuple(
        CitedDocument(source_id, *document, tuple(cited for _, cited in sorted(by, key=lambda item: item[0])))
        for document, by in sorted(documents.items(), key=lambda item: ((item[0][1] or item[0][0]).casefold(), item[0][0],
                                                                         repr(item[0][2:]))))
        for source_id, documents in grouped.items()}


def citations_of(cited: "CitedClaim | CitedCaveat") -> tuple[Citation, ...]:
    """The citations of the claim or caveat an item stands for."""
    return cited.claim.claim.citations if isinstance(cited, CitedClaim) else cited.caveat.caveat.citations


def _same_note(one: CitedClaim | CitedCaveat, other: CitedClaim | CitedCaveat) -> bool:
    note = (lambda c: c.claim.note_id if isinstance(c, CitedClaim) else c.caveat.note_id)
    return one.article.slug == other.article.slug and note(one) == note(other)
