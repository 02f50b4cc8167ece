"""Site paths -> absolute URLs from `base_url`, for the things that need one (feeds, canonical links, exports).

Pages link to each other relatively (see render.relative_url); only what leaves the site, or is read
without a page around it, needs an absolute address. With no `base_url`, there is none to give.
"""

from __future__ import annotations

import posixpath
import urllib.parse
import uuid

from .model import SiteConfig


def page_address(output_path: str) -> str:
    """'articles/x/index.html' -> 'articles/x/': the address a page is linked by; other files keep their path."""
    folder, name = posixpath.split(output_path)
    if name != "index.html":
        return output_path
    return f"{folder}/" if folder else ""


def absolute_url(config: SiteConfig, site_path: str) -> str | None:
    """`site_path` (relative to the site root, e.g. 'articles/x/') under base_url; None without base_url."""
    if not config.base_url:
        return None
    base = config.base_url if config.base_url.endswith("/") else config.base_url + "/"
    if not site_path.startswith(("/", ".")) and ":" not in site_path.partition("/")[0]:
        return base + site_path  # a plain site path: what urljoin gives, at a fraction of its cost
    return urllib.parse.urljoin(base, site_path)


def site_root_path(config: SiteConfig) -> str:
    """The path the site is served from ('/digest/'), for pages such as 404.html served at any URL."""
    if not config.base_url:
        return "/"
    path = urllib.parse.urlsplit(config.base_url).path or "/"
    return path if path.endswith("/") else path + "/"


def root_relative_url(config: SiteConfig, target: str) -> str:
    """A link that works from any URL of the site: '/digest/static/style.css'."""
    path, _, fragment = target.partition("#")
    url = posixpath.join(site_root_path(config), path) if path else site_root_path(config)
    return url + (f"#{fragment}" if fragment else "")


def permanent_id(config: SiteConfig, site_path: str) -> str:
    """An absolute, stable identifier (Atom ids, JSON-LD @id): the URL, or a name-based UUID without base_url.

    Without base_url the id is a `urn:uuid:` derived from the site title and the path, so it is
    the same on every build; it changes if the title changes (set base_url to avoid that).
    """
    url = absolute_url(config, site_path)
    if url is not None:
        return url
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"digest:{config.title}:{site_path}"))
