"""The digest for programs: JSON data and a W3C Web Annotation collection, a file per article.

- `data/claims.json`: the digest, its status scale, sources and topics, and one entry per article
  pointing to `data/articles/<slug>.json`, which holds the article's claims and caveats.
- `data/annotations.jsonld`: an AnnotationCollection (its `total`, `first` and `last` page) whose
  pages are `data/annotations/<slug>.jsonld`, one per article with annotations, in slug order and
  linked by `next` and `prev`. Each claim and anchored caveat is an Annotation whose target is the
  article page, selected by a TextQuoteSelector (exact, prefix, suffix) and by a CssSelector for the
  article's text element refined by a TextPositionSelector (code points of its textContent, pagetext.py).

An edit to one article rewrites that article's files and nothing else, unless what claims.json lists
of it (title, date, summary, topics, ids) changed. URLs are absolute under base_url; without it they
are relative to the file that holds them, as JSON and JSON-LD resolve them.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from .addresses import absolute_url, permanent_id
from .articles import AnchoredArticle, AnchoredCaveat, AnchoredClaim
from .claimants import Claimant
from .model import Citation, SiteConfig, Source, Topic
from .pages import article_url, claimant_url, source_url, status_url, topic_url
from .pagetext import ARTICLE_TEXT_ID
from .render import RenderedFile, relative_url

CLAIMS_FILE = "data/claims.json"
ANNOTATIONS_FILE = "data/annotations.jsonld"
FORMAT_VERSION = 2
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


def article_data_path(slug: str) -> str:
    return f"data/articles/{slug}.json"


def annotation_page_path(slug: str) -> str:
    return f"data/annotations/{slug}.jsonld"


@dataclass(frozen=True)
class ArticleExport:
    """One article's part of the exports: its own data file, its entry in claims.json and its annotations."""

    data: RenderedFile  # data/articles/<slug>.json
    entry: bytes  # its entry in claims.json's "articles" (JSON text, UTF-8)
    annotations: bytes  # its Annotations, comma-separated JSON (b"" if none)
    annotation_count: int
    lookups: tuple[tuple[str, str], ...]  # the topics it named by title, as render.RenderedFile.lookups


def article_export(config: SiteConfig, topics: dict[str, Topic], claimants: Mapping[str, Claimant],
                   article: AnchoredArticle) -> ArticleExport:
    """An article's part of the exports: it depends on the article, the config, its topics' titles and
    the claimants its claims name (content/claimants.yaml)."""
    data_path = article_data_path(article.slug)

    def data_url(target: str) -> str:
        return absolute_url(config, target) or relative_url(data_path, target)

    entry = _json(_article(article, lambda target: absolute_url(config, target) or relative_url(CLAIMS_FILE, target)))
    document = {"format": FORMAT_VERSION, "article": _article(article, data_url),
                "claims": [_claim(article, c, data_url, claimants) for c in article.claims],
                "caveats": [_caveat(article, c, data_url) for c in article.caveats]}
    page = annotation_page_path(article.slug)
    items = _article_annotations(config, topics, article, lambda target: absolute_url(config, target) or relative_url(page, target))
    named = sorted({t for c in article.claims for t in c.claim.topic_ids})
    return ArticleExport(RenderedFile(data_path, (_json(document) + "\n").encode("utf-8")), entry.encode("utf-8"),
                         ",".join(_json(item) for item in items).encode("utf-8"), len(items),
                         tuple(("topics", topic_id) for topic_id in named))


def claims_index(config: SiteConfig, sources: Iterable[Source], topics: Iterable[Topic], claimants: Iterable[Claimant],
                 entries: Iterable[bytes]) -> RenderedFile:
    """data/claims.json from the digest-wide parts and each article's entry (in order), joined once:
    at 10,000 articles the entries are megabytes, and each concatenation would copy them."""
    def url(target: str) -> str:
        return absolute_url(config, target) or relative_url(CLAIMS_FILE, target)

    head = {
        "format": FORMAT_VERSION,
        "digest": {"title": config.title, "description": config.description, "language": config.language,
                   "base_url": config.base_url or None, "url": url("")},
        "statuses": [{"id": s.id, "label": s.label, "description": s.description, "rating": s.rating,
                      "page": url(status_url(s.id))} for s in config.statuses],
        "sources": [{"id": s.id, "name": s.name, "kind": s.kind, "url": s.url or None,
                     "description": s.description, "page": url(source_url(s.id))} for s in sources],
        "topics": [{"id": t.id, "title": t.title, "description": t.description, "page": url(topic_url(t.id)),
                    "feed": url(topic_url(t.id) + "feed.xml")} for t in topics],
        # Each claim in an article's data file names its claimant by this id.
        "claimants": [{"id": c.slug, "name": c.name, "description": c.description, "url": c.url or None,
                       "aliases": list(c.aliases), "registered": c.registered, "page": url(claimant_url(c.slug))}
                      for c in claimants],
    }
    pieces = [_json(head)[:-1].encode("utf-8"), b',"articles":[']
    first = True
    for entry in entries:
        pieces += [entry] if first else [b",", entry]
        first = False
    pieces.append(b"]}\n")
    return RenderedFile(CLAIMS_FILE, b"".join(pieces))


def annotation_collection(config: SiteConfig, total: int, first_slug: str | None, last_slug: str | None) -> RenderedFile:
    """data/annotations.jsonld: the collection, its size, and its first and last pages."""
    collection: dict[str, Any] = {
        "@context": ANNOTATION_CONTEXT,
        "id": permanent_id(config, ANNOTATIONS_FILE),
        "type": "AnnotationCollection",
        "label": f"Claims and caveats of {config.title}",
        "total": total,
    }
    if first_slug is not None and last_slug is not None:
        collection["first"] = _page_ref(config, ANNOTATIONS_FILE, first_slug)
        collection["last"] = _page_ref(config, ANNOTATIONS_FILE, last_slug)
    return RenderedFile(ANNOTATIONS_FILE, (_json(collection) + "\n").encode("utf-8"))


def annotation_page(config: SiteConfig, slug: str, annotations: bytes, previous: str | None, following: str | None) -> RenderedFile:
    """data/annotations/<slug>.jsonld: one article's annotations, an AnnotationPage of the collection."""
    path = annotation_page_path(slug)
    page: dict[str, Any] = {"@context": ANNOTATION_CONTEXT, "id": _page_ref(config, path, slug), "type": "AnnotationPage",
                            "partOf": permanent_id(config, ANNOTATIONS_FILE)}
    if previous is not None:
        page["prev"] = _page_ref(config, path, previous)
    if following is not None:
        page["next"] = _page_ref(config, path, following)
    head = _json(page)[:-1].encode("utf-8")
    return RenderedFile(path, b"".join([head, b',"items":[', annotations, b"]}\n"]))


def claim_key(article: AnchoredArticle, claim_id: str) -> str:
    """A claim's id across the digest: 'article-slug/claim-id' (claim ids are unique per article)."""
    return f"{article.slug}/{claim_id}"


def _page_ref(config: SiteConfig, from_file: str, slug: str) -> str:
    """The address of an annotation page: absolute under base_url, else relative to `from_file`."""
    target = annotation_page_path(slug)
    return absolute_url(config, target) or posixpath.relpath(target, posixpath.dirname(from_file))


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
        "data": url(article_data_path(a.slug)),
    }


def _claim(article: AnchoredArticle, claim: AnchoredClaim, url, claimants: Mapping[str, Claimant]) -> dict[str, Any]:
    page = article_url(article.slug)
    return {
        "id": claim_key(article, claim.claim.id), "article": article.slug, "number": claim.number,
        "url": url(f"{page}#{claim.note_id}"), "highlight_url": url(f"{page}#{claim.highlight_id}"),
        "quote": claim.claim.selector.quote, "claim": claim.claim.claim, "claimant": claim.claim.claimant,
        "claimant_id": claimants[claim.claim.claimant].slug if claim.claim.claimant in claimants else None,
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


def _creator(config: SiteConfig) -> dict[str, Any]:
    return {"type": "Organization", "name": config.title, **({"homepage": config.base_url} if config.base_url else {})}


def _article_annotations(config: SiteConfig, topics: dict[str, Topic], article: AnchoredArticle, url) -> list[dict[str, Any]]:
    """An Annotation for each claim and anchored caveat of the article."""
    creator = _creator(config)
    items = []
    page = article_url(article.slug)
    for claim in article.claims:
        bodies = [_body(claim.claim.claim or claim.claim.selector.quote, "describing"),
                  _body(claim.status.label, "assessing")]
        bodies += [_body(topics[t].title, "tagging") for t in claim.claim.topic_ids]
        if claim.claim.note:
            bodies.append(_body(claim.claim.note, "commenting", "text/markdown"))
        items.append(_annotation(config, page, claim.note_id, "assessing", bodies, article, url, creator))
    for caveat in article.caveats:
        if caveat.anchored:
            bodies = [_body(caveat.caveat.text, "commenting", "text/markdown"),
                      _body(caveat.caveat.kind, "classifying")]
            items.append(_annotation(config, page, caveat.note_id, "commenting", bodies, article, url, creator))
    return items


def _annotation(config: SiteConfig, page: str, note_id: str, motivation: str, bodies: list[dict[str, Any]],
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
    # Compact: these files are for programs, and without `indent` json uses its C encoder.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
