"""Digest -> machine-readable exports: data/claims.json and data/annotations.jsonld.

claims.json lists claims, caveats, sources and topics with stable ids and URLs. annotations.jsonld
is a W3C Web Annotation collection: each claim and anchored caveat is an Annotation whose target
is the article page, selected by a TextQuoteSelector (exact, prefix, suffix) and by a CssSelector
for the article's text element refined by a TextPositionSelector. Positions count code points of
that element's textContent (see pagetext). URLs are absolute under base_url; without it they are
relative to the export file itself, as JSON and JSON-LD resolve them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from .addresses import absolute_url, permanent_id
from .model import Citation, SiteConfig
from .pages import article_url, claimant_url, source_url, status_url, topic_url
from .pagetext import ARTICLE_TEXT_ID
from .render import RenderedFile, relative_url
from .resolve import AnchoredArticle, AnchoredCaveat, AnchoredClaim, Digest

CLAIMS_FILE = "data/claims.json"
ANNOTATIONS_FILE = "data/annotations.jsonld"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ArticleExport:
    """One article's share of both files, as JSON text: a large digest's exports are these joined,
    and a rebuild reuses the shares of the articles that did not change (build.py caches them)."""
    article: bytes  # its entry in claims.json's "articles", UTF-8
    claims: bytes  # its claims' entries, comma-separated (b"" if none)
    caveats: bytes
    annotations: bytes  # its annotations' entries in annotations.jsonld
    annotation_count: int


def article_export(digest: Digest, article: AnchoredArticle) -> ArticleExport:
    """An article's share of the exports: it depends on the article, the config and the topics' titles."""
    config = digest.config

    def claims_url(target: str) -> str:
        return absolute_url(config, target) or relative_url(CLAIMS_FILE, target)

    def annotations_url(target: str) -> str:
        return absolute_url(config, target) or relative_url(ANNOTATIONS_FILE, target)

    annotations = _article_annotations(digest, article, annotations_url, _creator(config))
    return ArticleExport(_json(_article(article, claims_url)).encode("utf-8"),
                         ",".join(_json(_claim(article, c, claims_url)) for c in article.claims).encode("utf-8"),
                         ",".join(_json(_caveat(article, c, claims_url)) for c in article.caveats).encode("utf-8"),
                         ",".join(_json(item) for item in annotations).encode("utf-8"), len(annotations))


def render_exports(digest: Digest, shares: list[ArticleExport]) -> list[RenderedFile]:
    """Both files; `shares` are article_export() of every article, in order.

    The text is what json.dumps(..., separators=(",", ":")) gives for the whole, assembled from
    the digest-wide parts and the articles' shares (UTF-8 already) as pieces joined once: at
    N=10,000 the two files are ~90 MB, and each concatenation would copy them.
    """
    claims = {key: [_utf8(value)] for key, value in claims_export(digest).items()}
    claims.update(articles=_array(s.article for s in shares), claims=_array(s.claims for s in shares),
                  caveats=_array(s.caveats for s in shares))
    head, page = annotations_export(digest)
    annotations = {key: [_utf8(value)] for key, value in head.items()}
    annotations["total"] = [_utf8(sum(share.annotation_count for share in shares))]
    first = {key: [_utf8(value)] for key, value in page.items()}
    first["items"] = _array(s.annotations for s in shares)
    annotations["first"] = _object(first)
    return [RenderedFile(CLAIMS_FILE, b"".join(_object({key: claims[key] for key in CLAIMS_KEYS}) + [b"\n"])),
            RenderedFile(ANNOTATIONS_FILE, b"".join(_object(annotations) + [b"\n"]))]


CLAIMS_KEYS = ("format", "digest", "statuses", "articles", "claims", "caveats", "sources", "topics", "claimants")


def _object(members: dict[str, list[bytes]]) -> list[bytes]:
    """The pieces of a JSON object, from its keys and the pieces of each value, in order."""
    pieces = [b"{"]
    for key, value in members.items():
        pieces += [b",", _utf8(key), b":"] if len(pieces) > 1 else [_utf8(key), b":"]
        pieces += value
    pieces.append(b"}")
    return pieces


def _array(items: Iterable[bytes]) -> list[bytes]:
    """The pieces of a JSON array whose items are JSON text (empty stands for no items)."""
    pieces = [b"["]
    for item in items:
        if item:
            pieces += [b",", item] if len(pieces) > 1 else [item]
    pieces.append(b"]")
    return pieces


def _utf8(value: Any) -> bytes:
    return _json(value).encode("utf-8")


def claim_key(article: AnchoredArticle, claim_id: str) -> str:
    """A claim's id across the digest: 'article-slug/claim-id' (claim ids are unique per article)."""
    return f"{article.slug}/{claim_id}"


def claims_export(digest: Digest) -> dict[str, Any]:
    """What claims.json says of the digest as a whole (render_exports adds the articles' shares)."""
    def url(target: str) -> str:
        return absolute_url(digest.config, target) or relative_url(CLAIMS_FILE, target)

    config = digest.config
    return {
        "format": FORMAT_VERSION,
        "digest": {"title": config.title, "description": config.description, "language": config.language,
                   "base_url": config.base_url or None, "url": url("")},
        "statuses": [{"id": s.id, "label": s.label, "description": s.description, "rating": s.rating,
                      "page": url(status_url(s.id))} for s in config.statuses],
        "sources": [{"id": s.id, "name": s.name, "kind": s.kind, "url": s.url or None,
                     "description": s.description, "page": url(source_url(s.id))} for s in digest.sources],
        "topics": [{"id": t.id, "title": t.title, "description": t.description, "page": url(topic_url(t.id)),
                    "feed": url(topic_url(t.id) + "feed.xml")} for t in digest.topics],
        "claimants": _claimants(digest, url),
    }


def _claimants(digest: Digest, url) -> list[dict[str, Any]]:
    """Every claimant with a page, and the ids of the claims naming it (claimants.py)."""
    claims: dict[str, list[str]] = {c.slug: [] for c in digest.claimants.claimants}
    for article in digest.articles:
        for claim in article.claims:
            claimant = digest.claimants.of(claim.claim)
            if claimant is not None:
                claims.setdefault(claimant.slug, []).append(claim_key(article, claim.claim.id))
    return [{"id": c.slug, "name": c.name, "description": c.description, "url": c.url or None,
             "aliases": list(c.aliases), "registered": c.registered, "page": url(claimant_url(c.slug)),
             "claims": claims[c.slug]} for c in digest.claimants.claimants]


def _citations(citations: tuple[Citation, ...]) -> list[dict[str, Any]]:
    def day(date) -> str | None:
        return date.isoformat() if date else None

    return [{"source": c.source.id, "url": c.url or None, "title": c.title or None, "archive_url": c.archive_url or None,
             "archive_date": day(c.archive_date), "accessed": day(c.accessed)} for c in citations]


def _article(a: AnchoredArticle, url) -> dict[str, Any]:
    return {
        "id": a.slug, "title": a.article.title, "date": a.article.date.isoformat(),
        "summary": a.article.summary, "url": url(article_url(a.slug)),
        "source": a.article.source.id if a.article.source else None,
        "topics": list(a.article.topic_ids),
        "claims": [claim_key(a, c.claim.id) for c in a.claims],
        "caveats": [claim_key(a, c.caveat.id) for c in a.caveats],
    }


def _claim(article: AnchoredArticle, claim: AnchoredClaim, url) -> dict[str, Any]:
    page = article_url(article.slug)
    return {
        "id": claim_key(article, claim.claim.id), "article": article.slug, "number": claim.number,
        "url": url(f"{page}#{claim.note_id}"), "highlight_url": url(f"{page}#{claim.highlight_id}"),
        "quote": claim.claim.selector.quote, "claim": claim.claim.claim, "claimant": claim.claim.claimant,
        "status": claim.status.id, "status_label": claim.status.label, "rating": claim.status.rating,
        "sources": list(claim.claim.source_ids), "topics": list(claim.claim.topic_ids),
        "caveats": [claim_key(article, c.caveat.id) for c in article.caveats_of(claim.claim.id)],
        "note": claim.claim.note,
        "updated": claim.updated.isoformat() if claim.updated else None,
        "history": [{"date": v.date.isoformat(), "status": v.status.id, "status_label": v.status.label,
                     "note": step.note} for v, step in zip(claim.history, claim.claim.history)],
        "citations": _citations(claim.claim.citations),
    }


def _caveat(article: AnchoredArticle, caveat: AnchoredCaveat, url) -> dict[str, Any]:
    page = article_url(article.slug)
    return {
        "id": claim_key(article, caveat.caveat.id), "article": article.slug, "letter": caveat.letter,
        "url": url(f"{page}#{caveat.note_id}"),
        "highlight_url": url(f"{page}#{caveat.highlight_id}") if caveat.anchored else None,
        "kind": caveat.caveat.kind, "text": caveat.caveat.text,
        "quote": caveat.caveat.selector.quote if caveat.caveat.selector else None,
        "claims": [claim_key(article, cid) for cid in caveat.caveat.claim_ids],
        "sources": list(caveat.caveat.source_ids), "noted_by": list(caveat.caveat.noted_by_ids),
        "date": caveat.caveat.date.isoformat() if caveat.caveat.date else None,
        "citations": _citations(caveat.caveat.citations),
    }


def annotations_export(digest: Digest) -> tuple[dict[str, Any], dict[str, Any]]:
    """The W3C Web Annotation collection (one page), without its items (render_exports adds them):
    the collection's members before 'first', and the page's members before 'items'."""
    config = digest.config
    collection = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": permanent_id(config, ANNOTATIONS_FILE),
        "type": "AnnotationCollection",
        "label": f"Claims and caveats of {config.title}",
    }
    page = {"id": permanent_id(config, ANNOTATIONS_FILE + "#page-1"), "type": "AnnotationPage", "startIndex": 0}
    return collection, page


def _creator(config: SiteConfig) -> dict[str, Any]:
    return {"type": "Organization", "name": config.title, **({"homepage": config.base_url} if config.base_url else {})}


def _article_annotations(digest: Digest, article: AnchoredArticle, url, creator: dict[str, Any]) -> list[dict[str, Any]]:
    """An Annotation for each claim and anchored caveat of the article."""
    config = digest.config
    items = []
    page = article_url(article.slug)
    for claim in article.claims:
        bodies = [_body(claim.claim.claim or claim.claim.selector.quote, "describing"),
                  _body(claim.status.label, "assessing")]
        bodies += [_body(digest.topic(t).title, "tagging") for t in claim.claim.topic_ids]
        if claim.claim.note:
            bodies.append(_body(claim.claim.note, "commenting", "text/markdown"))
        items.append(_annotation(config, page, claim.note_id, "assessing", bodies, article, url, creator))
    for caveat in article.caveats:
        if caveat.anchored:
            bodies = [_body(caveat.caveat.text, "commenting", "text/markdown"),
                      _body(caveat.caveat.kind, "classifying")]
            items.append(_annotation(config, page, caveat.note_id, "commenting", bodies, article, url, creator))
    return items


def _annotation(config, page: str, note_id: str, motivation: str, bodies: list[dict[str, Any]],
                article: AnchoredArticle, url, creator: dict[str, Any]) -> dict[str, Any]:
    span = article.anchors[note_id]
    return {
        "id": permanent_id(config, f"{page}#{note_id}"),
        "type": "Annotation",
        "motivation": motivation,
        "created": f"{article.article.date.isoformat()}T00:00:00Z",
        "creator": creator,
        "body": bodies,
        "target": {
            "source": url(page),
            "format": "text/html",
            "selector": [
                {"type": "TextQuoteSelector", "exact": span.exact, "prefix": span.prefix, "suffix": span.suffix},
                {"type": "CssSelector", "value": f"#{ARTICLE_TEXT_ID}",
                 "refinedBy": {"type": "TextPositionSelector", "start": span.start, "end": span.end}},
            ],
        },
    }


def _body(value: str, purpose: str, media_type: str = "text/plain") -> dict[str, Any]:
    return {"type": "TextualBody", "value": value, "format": media_type, "purpose": purpose}


def _json(value: Any) -> str:
    # Compact: these files are for programs, and without `indent` json uses its C encoder,
    # several times faster on a large digest.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
