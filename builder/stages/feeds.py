"""Atom feeds: one for the whole digest (feed.xml), one per topic (topics/<id>/feed.xml).

Atom needs absolute, permanent ids: they are URLs under base_url, or without base_url name-based
`urn:uuid:` ids (addresses.permanent_id). Links are then relative to the feed file, which Atom
readers resolve against the feed's own URL (RFC 4287 xml:base rules).
"""

from __future__ import annotations

import datetime
import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Iterable, Mapping

from markupsafe import escape

from .. import __version__
from . import crossrefs
from .addresses import absolute_url, permanent_id
from .articles import AnchoredArticle, AnchoredClaim
from .crossrefs import ArticleTargets
from .model import SiteConfig, Topic
from .pages import ARTICLES, HOME, article_url, topic_url
from .render import RenderedFile, relative_url
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
    list: str  # the index list whose newest members are its entries (pages.list_entries)


def feed_path(page: str) -> str:
    """Where the feed of a page lives: feed.xml beside its index.html."""
    return posixpath.join(page, FEED_FILE)


# Feed readers poll for what is new: a feed of the whole archive would grow without bound
# and be rebuilt in full on every edit.
FEED_ENTRIES = 50


def plan_feeds(config: SiteConfig, topics: Iterable[Topic]) -> list[Feed]:
    """The digest's feed, then one per topic (its articles, and those with a claim on it), by topic id;
    each holds the newest FEED_ENTRIES articles of its list."""
    feeds = [Feed(feed_path(HOME), config.title, config.description, HOME, "home")]
    for topic in topics:
        feeds.append(Feed(feed_path(topic_url(topic.id)), f"{topic.title} · {config.title}", topic.description,
                          topic_url(topic.id), f"topic/{topic.id}/{ARTICLES}"))
    return feeds


def feed_file(feed: Feed, articles: list[AnchoredArticle], config: SiteConfig, topics: dict[str, Topic],
              targets: Mapping[str, ArticleTargets]) -> RenderedFile:
    """The feed, its entries `articles` (newest first, with their body_html); `targets`: of the
    articles their id links point into."""
    return RenderedFile(feed.path, atom_xml(feed, articles, config, topics, targets))


def atom_xml(feed: Feed, articles: list[AnchoredArticle], config: SiteConfig, topics: dict[str, Topic],
             targets: Mapping[str, ArticleTargets]) -> bytes:
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": config.language})
    text_element(root, "title", feed.title)
    if feed.subtitle:
        text_element(root, "subtitle", feed.subtitle)
    text_element(root, "id", permanent_id(config, feed.path))
    text_element(root, "updated", max(_modified(a) for a in articles) if articles else EPOCH)
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml", "href": _href(config, feed.path, feed.path)})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": _href(config, feed.path, feed.page)})
    author = ET.SubElement(root, "author")
    text_element(author, "name", config.title)
    if config.base_url:
        text_element(author, "uri", config.base_url)
    ET.SubElement(root, "generator", {"version": __version__}).text = "digest"
    for article in articles:
        root.append(_entry(article, feed, config, topics, targets))
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def _entry(article: AnchoredArticle, feed: Feed, config: SiteConfig, topics: dict[str, Topic],
           targets: Mapping[str, ArticleTargets]) -> ET.Element:
    page = article_url(article.slug)
    entry = ET.Element("entry")
    # The body's note links are fragments (#claim-x): xml:base makes them point into the article page,
    # and everything inside the entry, its own link too, is relative to that base.
    entry.set("xml:base", _href(config, feed.path, page))
    text_element(entry, "title", article.article.title)
    text_element(entry, "id", permanent_id(config, page))
    text_element(entry, "published", atom_time(article.article.date))
    text_element(entry, "updated", _modified(article))
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html", "href": absolute_url(config, page) or "./"})
    for ref in article.article.topics:
        ET.SubElement(entry, "category", {"term": ref.id, "label": topics[ref.id].title})
    if article.article.summary:
        text_element(entry, "summary", article.article.summary)
    claims = "".join(f"<li>{_claim_line(c)}</li>" for c in article.claims)
    content = _body(article, targets) + (f"<h2>Claims</h2><ol>{claims}</ol>" if claims else "")
    ET.SubElement(entry, "content", {"type": "html"}).text = content
    return entry


def _body(article: AnchoredArticle, targets: Mapping[str, ArticleTargets]) -> str:
    """The article's text, its id links resolved as on its page (the entry's xml:base)."""
    body = article.body_html
    if 'href="@' not in body:
        return body
    page = f"{article_url(article.slug)}index.html"
    return str(crossrefs.resolve_links(body, article.slug, page, lambda target: relative_url(page, target), targets))


def _claim_line(claim: AnchoredClaim) -> str:
    return f'<a href="#{claim.note_id}">{escape(claim.claim.claim or claim.claim.selector.quote)}</a> ({escape(claim.status.label)})'


def _href(config: SiteConfig, from_file: str, target: str) -> str:
    return absolute_url(config, target) or relative_url(from_file, target)


def _modified(article: AnchoredArticle) -> str:
    """When the entry last changed: its latest verdict change or dated correction, else its date."""
    return atom_time(last_modified(article) or article.article.date)


def atom_time(day: datetime.date) -> str:
    """A day as an Atom date-time (content dates have no time of day)."""
    return f"{day.isoformat()}T00:00:00Z"


def text_element(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element
