"""sitemap.xml and robots.txt, for crawlers.

The sitemap protocol wants absolute URLs, so sitemap.xml is written only when base_url is set;
robots.txt is always written and names the sitemap when there is one.
"""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from typing import Iterable

from .addresses import absolute_url, page_address
from .model import SiteConfig
from .render import RenderedFile

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
NOT_LISTED = ("404.html",)  # served for missing pages, not a page to visit


SITEMAP_FILE = "sitemap.xml"


def robots_file(config: SiteConfig) -> RenderedFile:
    """robots.txt: everything allowed, and where the sitemap is when the site has one."""
    robots = "User-agent: *\nAllow: /\n"
    if config.base_url:
        robots += f"\nSitemap: {absolute_url(config, SITEMAP_FILE)}\n"
    return RenderedFile("robots.txt", robots.encode("utf-8"))


def sitemap_file(pages: Iterable[tuple[str, datetime.date | None]], config: SiteConfig) -> RenderedFile:
    """sitemap.xml, for a site with a base_url: every page's output path, and its date if it has one."""
    return RenderedFile(SITEMAP_FILE, sitemap_xml(pages, config))


def sitemap_xml(pages: Iterable[tuple[str, datetime.date | None]], config: SiteConfig) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP})
    for address, date in sorted((page_address(path), date) for path, date in pages if path not in NOT_LISTED):
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = absolute_url(config, address)
        if date is not None:
            ET.SubElement(url, "lastmod").text = date.isoformat()
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
