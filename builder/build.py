"""The pipeline, one screen: read, resolve, plan, render, write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .content import load_content
from .exports import render_exports
from .feeds import render_feeds
from .diagnostics import ContentErrors, Diagnostic
from .output import check_output_folder, write_site
from .pages import Page, plan_pages
from .render import make_environment, render_pages, static_files
from .resolve import Digest, resolve
from .search import search_index
from .sitemap import render_crawler_files


@dataclass(frozen=True)
class Summary:
    pages: int
    articles: int
    claims: int
    caveats: int
    warnings: tuple[Diagnostic, ...]

    @classmethod
    def of(cls, digest: Digest, page_list: list[Page]) -> "Summary":
        return cls(
            pages=len(page_list),
            articles=len(digest.articles),
            claims=sum(len(a.claims) for a in digest.articles),
            caveats=sum(len(a.caveats) for a in digest.articles),
            warnings=digest.warnings,
        )


def check(root: Path) -> tuple[Diagnostic, ...]:
    """Validate the site in `root` without writing: its warnings, or ContentErrors."""
    return resolve(load_content(root), include_drafts=True).warnings


def build(root: Path, out: Path, include_drafts: bool = False, strict: bool = False, search: bool = True) -> Summary:
    """Build the site in `root` into `out`; raise ContentErrors (writing nothing) if content is wrong.

    With `search`, a Pagefind index is built too (SearchUnavailable if the binary is missing).
    """
    check_output_folder(out, root)
    content = load_content(root)  # shape of every file; ContentErrors lists every problem
    digest = resolve(content, include_drafts)  # ids across files, anchored quotes: pure data
    if strict and digest.warnings:
        raise ContentErrors(digest.warnings)
    page_list = plan_pages(digest, search)  # nothing rendered yet
    env = make_environment(root / "templates")
    files = render_pages(page_list, digest, env) + static_files(root / "site" / "static")
    files += render_feeds(digest) + render_crawler_files(page_list, digest.config) + render_exports(digest)
    if search:
        files += search_index(files, digest.config.language)  # runs the pagefind binary
    write_site(files, out)
    return Summary.of(digest, page_list)
