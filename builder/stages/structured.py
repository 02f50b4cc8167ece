"""Article -> JSON-LD: a schema.org NewsArticle, and a ClaimReview for each claim whose status has a rating.

The properties follow Google's fact-check markup (ClaimReview) guidance. Without `base_url`, URLs
are relative to the article page, which JSON-LD resolves against the page's own address.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

from markupsafe import Markup

from .addresses import absolute_url
from .claimants import Claimant
from .model import RATING_BEST, RATING_WORST, SiteConfig, Source, Topic
from .pages import article_url
from .articles import AnchoredArticle, AnchoredClaim
from .updates import last_modified

_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def script_json(data: Any) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' escaped, so '</script>' in content cannot close the element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # compact: json's C encoder
    for character, escaped in _SCRIPT_ESCAPES:  # str.replace: much faster than translate on non-ASCII text
        if character in text:
            text = text.replace(character, escaped)
    return Markup(text)


def article_structured_data(article: AnchoredArticle, outlet: Source | None, config: SiteConfig,
                            sources: dict[str, Source], topics: dict[str, Topic],
                            claimants: Mapping[str, Claimant] | None = None) -> list[dict[str, Any]]:
    """The JSON-LD objects for one article page: NewsArticle first, then one ClaimReview per rated claim.

    `claimants` maps a claim's `claimant` to the claimant it stands for (claimants.ClaimantDirectory.names)."""
    page_url = absolute_url(config, article_url(article.slug)) or ""
    return [news_article(article, outlet, config, page_url, topics)] + [
        claim_review(article, claim, config, sources, page_url, {} if claimants is None else claimants)
        for claim in article.claims if claim.status.rating is not None
    ]


def publisher(config: SiteConfig) -> dict[str, Any]:
    """The digest itself, as the organisation that publishes the article and writes the reviews."""
    data: dict[str, Any] = {"@type": "Organization", "name": config.title}
    if config.base_url:
        data["url"] = config.base_url
    return data


def news_article(article: AnchoredArticle, outlet: Source | None, config: SiteConfig, page_url: str,
                 topics: dict[str, Topic]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.article.title,
        "datePublished": article.article.date.isoformat(),
        "inLanguage": config.language,
        "url": page_url or "./",
        "mainEntityOfPage": page_url or "./",
        "author": _organisation(outlet) if outlet else publisher(config),
        "publisher": publisher(config),
    }
    if article.article.summary:
        data["description"] = article.article.summary
    if article.article.topics:
        data["keywords"] = [topics[ref.id].title for ref in article.article.topics]
    if outlet and outlet.url:
        data["isBasedOn"] = outlet.url
    modified = last_modified(article)
    if modified is not None:
        data["dateModified"] = modified.isoformat()
    return data


def claim_review(article: AnchoredArticle, claim: AnchoredClaim, config: SiteConfig, sources: dict[str, Source],
                 page_url: str, claimants: Mapping[str, Claimant] | None = None) -> dict[str, Any]:
    """A ClaimReview of one claim: what was claimed, by whom, where it appeared, and the digest's rating."""
    assert claim.status.rating is not None
    date = article.article.date.isoformat()
    highlight = f"{page_url}#{claim.highlight_id}"
    documents = {c.source: c for c in claim.claim.citations if c.url}
    appearances = []
    for ref in claim.claim.sources:  # the cited document where there is one, else the source's own address
        source, document = sources[ref.id], documents.get(ref)
        if document is not None:
            appearances.append({"@type": "CreativeWork", "url": document.url,
                                "name": document.title or source.name, **_archived(document.archive_url)})
        elif source.url:
            appearances.append({"@type": "CreativeWork", "url": source.url, "name": source.name})
    appearances.append({"@type": "CreativeWork", "url": highlight, "headline": article.article.title})
    note_url = f"{page_url}#{claim.note_id}"
    assert claim.updated is not None
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "@id": note_url,
        "url": note_url,
        "claimReviewed": claim.claim.claim or claim.claim.selector.quote,
        "datePublished": date,
        "dateModified": claim.updated.isoformat(),
        "author": publisher(config),
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": claim.status.rating,
            "bestRating": RATING_BEST,
            "worstRating": RATING_WORST,
            "alternateName": claim.status.label,
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": _claimant(claim, sources, {} if claimants is None else claimants),
            "datePublished": date,
            "appearance": appearances,
            "firstAppearance": appearances[0],
        },
    }


def _organisation(source: Source) -> dict[str, Any]:
    data: dict[str, Any] = {"@type": "Organization", "name": source.name}
    if source.url:
        data["url"] = source.url
    return data


def _archived(archive_url: str) -> dict[str, Any]:
    """schema.org's archivedAt: where an archived copy of a cited document is kept."""
    return {"archivedAt": archive_url} if archive_url else {}


def _claimant(claim: AnchoredClaim, sources: dict[str, Source], claimants: Mapping[str, Claimant]) -> dict[str, Any]:
    """Who made the claim: a cited source of that name is an Organization; anyone else a Person.
    A claimant registered in content/claimants.yaml goes by its registered name, with its url."""
    registered = claimants.get(claim.claim.claimant) if claim.claim.claimant else None
    if registered is not None and registered.registered:
        kind = "Organization" if registered.name.lower().startswith("the ") or any(
            sources[sid].name.lower() == registered.name.lower() for sid in claim.claim.source_ids) else "Person"
        return {"@type": kind, "name": registered.name, **({"url": registered.url} if registered.url else {})}
    name = claim.claim.claimant
    by_name = {sources[sid].name.lower(): sources[sid] for sid in claim.claim.source_ids}  # not all sources:
    # a page depends on the sources it reads (graph.py), and an edit to another should not re-render it
    if not name:
        return _organisation(sources[claim.claim.source_ids[0]])
    if name.lower() in by_name:
        return _organisation(by_name[name.lower()])
    kind = "Organization" if name.lower().startswith("the ") else "Person"
    return {"@type": kind, "name": name}
