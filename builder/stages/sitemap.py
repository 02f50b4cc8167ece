"""Pages -> sitemap.xml and robots.txt, for crawlers.

The sitemap protocol wants absolute URLs, so sitemap.xml is written only when base_url is set;
robots.txt is always written and names the sitemap when there is one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .addresses import absolute_url, page_address
from .model import SiteConfig
from .pages import ArticleView, Page
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


def sitemap_file(page_list: list[Page], config: SiteConfig) -> RenderedFile:
    """sitemap.xml, for a site with a base_url."""
    return RenderedFile(SITEMAP_FILE, sitemap_xml(page_list, config))


def sitemap_inputs(page_list: list[Page]) -> list[str]:
    """What sitemap_xml() reads of the pages (the config aside): their paths and the articles' dates."""
    return [f"{page.path} {page.view.article.article.date}" if isinstance(page.view, ArticleView) else page.path
            for page in page_list]


def sitemap_xml(page_list: list[Page], config: SiteConfig) -> bytes:
    root = ET.Element("urlset", {"xmlns": SITEMAP})
    for page in sorted(page_list, key=lambda p: page_address(p.path)):
        if page.path in NOT_LISTED:
            continue
        url = ET.SubElement(root, "url")
        ET.SubElement(url, "loc").text = absolute_url(config, page_address(page.path))
        if isinstance(page.view, ArticleView):
            ET.SubElement(url, "lastmod").text = page.view.article.article.date.isoformat()
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"
