"""Resolving a built site's internal links, as a browser would from a sub-path."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup

BASE = "http://127.0.0.1:8000/some/sub-path/"


def pages_of(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def broken_links(out: Path) -> list[str]:
    """Every internal href/src that does not resolve to a file (and element id), as 'page -> link: why'."""
    problems = []
    ids_cache: dict[Path, set[str]] = {}
    for page in pages_of(out):
        if page.relative_to(out).as_posix() == "404.html":
            continue  # served at any URL, so it links from the site's root path (tested in test_feeds.py)
        page_url = urljoin(BASE, page.relative_to(out).as_posix())
        for element in soup_of(page).select("[href], [src]"):
            link = element.get("href") or element.get("src")
            parts = urlsplit(urljoin(page_url, link))
            if not (parts.scheme + "://" + parts.netloc + parts.path).startswith(BASE.rstrip("/")):
                if urlsplit(link).scheme in ("", "http", "https") and not urlsplit(link).netloc:
                    problems.append(f"{page.relative_to(out)} -> {link}: leaves the sub-path")
                continue
            rel = unquote(parts.path[len(urlsplit(BASE).path):])
            target = out / rel
            if rel == "" or rel.endswith("/"):
                target = target / "index.html"
            if not target.is_file():
                problems.append(f"{page.relative_to(out)} -> {link}: no file {target.relative_to(out)}")
                continue
            if parts.fragment:
                if target not in ids_cache:
                    ids_cache[target] = {e["id"] for e in soup_of(target).select("[id]")}
                if unquote(parts.fragment) not in ids_cache[target]:
                    problems.append(f"{page.relative_to(out)} -> {link}: no element with that id")
    return problems


def duplicate_ids(out: Path) -> list[str]:
    problems = []
    for page in pages_of(out):
        seen: set[str] = set()
        for element in soup_of(page).select("[id]"):
            if element["id"] in seen:
                problems.append(f"{page.relative_to(out)}: duplicate id {element['id']}")
            seen.add(element["id"])
    return problems
