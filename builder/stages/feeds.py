"""Digest -> Atom feeds: one for the whole digest (feed.xml), one per topic (topics/<id>/feed.xml).

Atom needs absolute, permanent ids: they are URLs under base_url, or without base_url name-based
`urn:uuid:` ids (addresses.permanent_id). Links are then relative to the feed file, which Atom
readers resolve against the feed's own URL (RFC 4287 xml:base rules).
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from markupsafe import escape

from .. import __version__
from . import crossrefs
from .addresses import absolute_url, permanent_id
from .model import SiteConfig
from .pages import HOME, article_url, topic_url
from .render import RenderedFile, relative_url
from .resolve import AnchoredArticle, AnchoredClaim, Digest, targets_of
from .updates import last_modified

ATOM = "http://www.w3.org/2005/Atom"
FEED_FILE = "feed.xml"
EPOCH = "1970-01-01T00:00:00Z"  # 'updated' of a feed with no entries: any real date would be invented


@dataclass(frozen=True)
class Feed:
    path: str  # of the feed file, relative to the output folder
    title: str
    subtitle: str
    page: str  # the HTML page the feed mirrors
    articles: tuple[AnchoredArticle, ...]  # newest first


def feed_path(page: str) -> str:
    """Where the feed of a page lives: feed.xml beside its index.html."""
    return posixpath.join(page, FEED_FILE)


# Feed readers poll for what is new: a feed of the whole archive would grow without bound
# and be rebuilt in full on every edit.
FEED_ENTRIES = 50


def plan_feeds(digest: Digest) -> list[Feed]:
    """The digest's feed, then one per topic, by topic id; each with its newest FEED_ENTRIES articles."""
    config = digest.config
    feeds = [Feed(feed_path(HOME), config.title, config.description, HOME, digest.articles[:FEED_ENTRIES])]
    filed: dict[str, list[AnchoredArticle]] = {topic.id: [] for topic in digest.topics}
    for article in digest.articles:  # newest first: one pass, each feed stops at FEED_ENTRIES
        topic_ids = set(article.article.topic_ids)
        for claim in article.claims:
            topic_ids.update(claim.claim.topic_ids)
        for topic_id in topic_ids:
            entries = filed.get(topic_id)
            if entries is not None and len(entries) < FEED_ENTRIES:
                entries.append(article)
    for topic in digest.topics:
        feeds.append(Feed(feed_path(topic_url(topic.id)), f"{topic.title} · {config.title}",
                          topic.description, topic_url(topic.id), tuple(filed[topic.id])))
    return feeds


def render_feeds(digest: Digest) -> list[RenderedFile]:
    """Every feed as Atom XML bytes."""
    return [feed_file(feed, digest) for feed in plan_feeds(digest)]


def feed_file(feed: Feed, digest: Digest) -> RenderedFile:
    return RenderedFile(feed.path, atom_xml(feed, digest))


def atom_xml(feed: Feed, digest: Digest) -> bytes:
    config = digest.config
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": config.language})
    _text(root, "title", feed.title)
    if feed.subtitle:
        _text(root, "subtitle", feed.subtitle)
    _text(root, "id", permanent_id(config, feed.path))
    _text(root, "updated", max(_modified(a) for a in feed.articles) if feed.articles else EPOCH)
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml", "href": _href(config, feed.path, feed.path)})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": _href(config, feed.path, feed.page)})
    author = ET.SubElement(root, "author")
    _text(author, "name", config.title)
    if config.base_url:
        _text(author, "uri", config.base_url)
    ET.SubElement(root, "generator", {"version": __version__}).text = "digest"
    for article in feed.articles:
        root.append(_entry(article, feed, digest))
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _entry(article: AnchoredArticle, feed: Feed, digest: Digest) -> ET.Element:
    config = digest.config
    page = article_url(article.slug)
    entry = ET.Element("entry")
    # The body's note links are fragments (#claim-x): xml:base makes them point into the article page,
    # and everything inside the entry, its own link too, is relative to that base.
    entry.set("xml:base", _href(config, feed.path, page))
    _text(entry, "title", article.article.title)
    _text(entry, "id", permanent_id(config, page))
    _text(entry, "published", _timestamp(article))
    _text(entry, "updated", _modified(article))
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": absolute_url(config, page) or "./"})
    for ref in article.article.topics:
        ET.SubElement(entry, "category", {"term": ref.id, "label": digest.topic(ref.id).title})
    if article.article.summary:
        _text(entry, "summary", article.article.summary)
    claims = "".join(f"<li>{_claim_line(c)}</li>" for c in article.claims)
    content = _body(article, digest) + (f"<h2>Claims</h2><ol>{claims}</ol>" if claims else "")
    ET.SubElement(entry, "content", {"type": "html"}).text = content
    return entry


def _body(article: AnchoredArticle, digest: Digest) -> str:
    """The article's text, its id links resolved as on its page (the entry's xml:base)."""
    body = digest.bodies[article.slug]
    if 'href="@' not in body:
        return body
    page = f"{article_url(article.slug)}index.html"
    return str(crossrefs.resolve_links(body, article.slug, page, lambda target: relative_url(page, target),
                                       {a.slug: targets_of(a) for a in digest.articles}))


def _claim_line(claim: AnchoredClaim) -> str:
    return f'<a href="#{claim.note_id}">{escape(claim.claim.claim or claim.claim.selector.quote)}</a> ({escape(claim.status.label)})'


def _href(config: SiteConfig, from_file: str, target: str) -> str:
    return absolute_url(config, target) or relative_url(from_file, target)


def _modified(article: AnchoredArticle) -> str:
    """When the entry last changed: its latest verdict change or dated correction, else its date."""
    modified = last_modified(article)
    return f"{modified.isoformat()}T00:00:00Z" if modified else _timestamp(article)


def _timestamp(article: AnchoredArticle) -> str:
    return f"{article.article.date.isoformat()}T00:00:00Z"


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element
