"""updates.xml: an Atom feed of verdicts given or changed and of dated corrections, the newest FEED_ENTRIES.

Ids and links follow feeds.py: absolute under base_url, otherwise name-based `urn:uuid:` ids and
links relative to the feed. An entry's id derives from its note, date and verdict, so it stays the
same when other steps are added to the claim's history.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from typing import Mapping

from markupsafe import escape

from .. import __version__
from . import crossrefs
from .addresses import absolute_url, permanent_id
from .crossrefs import ArticleTargets
from .feeds import ATOM, EPOCH, atom_time, text_element
from .model import SiteConfig
from .paths import UPDATES, UPDATES_FEED, article_url
from .render import RenderedFile, relative_url
from .updates import UpdateEvent, event_title

TITLE = "Updates"
SUBTITLE = "Verdicts given or changed, and corrections, newest first."


def updates_feed_file(config: SiteConfig, events: tuple[UpdateEvent, ...], targets: Mapping[str, ArticleTargets]) -> RenderedFile:
    """The feed of `events` (the newest, newest first); `targets`: of the articles their notes' id links point into."""
    return RenderedFile(UPDATES_FEED, updates_xml(config, events, targets))


def updates_xml(config: SiteConfig, events: tuple[UpdateEvent, ...], targets: Mapping[str, ArticleTargets]) -> bytes:
    root = ET.Element("feed", {"xmlns": ATOM, "xml:lang": config.language})
    text_element(root, "title", f"{TITLE} · {config.title}")
    text_element(root, "subtitle", SUBTITLE)
    text_element(root, "id", permanent_id(config, UPDATES_FEED))
    text_element(root, "updated", atom_time(events[0].date) if events else EPOCH)
    ET.SubElement(root, "link", {"rel": "self", "type": "application/atom+xml", "href": _href(config, UPDATES_FEED)})
    ET.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": _href(config, UPDATES)})
    author = ET.SubElement(root, "author")
    text_element(author, "name", config.title)
    if config.base_url:
        text_element(author, "uri", config.base_url)
    ET.SubElement(root, "generator", {"version": __version__}).text = "digest"
    for event in events:
        root.append(_entry(event, config, targets))
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


def _entry(event: UpdateEvent, config: SiteConfig, targets: Mapping[str, ArticleTargets]) -> ET.Element:
    page = article_url(event.article.slug)
    entry = ET.Element("entry")
    entry.set("xml:base", _href(config, page))  # links in the content are relative to the article's page
    text_element(entry, "title", event_title(event))
    verdict = event.status.id if event.status is not None else "correction"
    text_element(entry, "id", "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"digest-update:{permanent_id(config, event.target)}"
                                                                         f":{event.date}:{verdict}")))
    text_element(entry, "published", atom_time(event.date))
    text_element(entry, "updated", atom_time(event.date))
    ET.SubElement(entry, "link", {"rel": "alternate", "type": "text/html",
                                  "href": absolute_url(config, event.target) or f"#{event.note_id}"})
    note = crossrefs.resolve_links(event.note_html, event.article.slug, f"{page}index.html",
                                   lambda target: relative_url(f"{page}index.html", target), targets)
    ET.SubElement(entry, "content", {"type": "html"}).text = _summary_html(event) + str(note)
    return entry


def _summary_html(event: UpdateEvent) -> str:
    article = f'In <a href="./">{escape(event.article.article.title)}</a>'
    if event.claim is None:
        assert event.caveat is not None
        return f'<p>{article}, <a href="#{event.note_id}">caveat {escape(event.caveat.letter)}</a>:</p>'
    assert event.status is not None
    change = (f"rated {escape(event.status.label)}" if event.previous is None
              else f"from {escape(event.previous.label)} to {escape(event.status.label)}")
    return f'<p>{article}, <a href="#{event.note_id}">claim {event.claim.number}</a>: {change}.</p>'


def _href(config: SiteConfig, target: str) -> str:
    return absolute_url(config, target) or relative_url(UPDATES_FEED, target)
