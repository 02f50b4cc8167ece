"""The pipeline, one screen: read, resolve, plan, render, write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .changes import changed_files
from .content import load_content
from .exports import render_exports
from .feeds import render_feeds
from .diagnostics import ContentErrors, Diagnostic
from .output import check_output_folder, write_site
from .pages import Page, plan_pages
from .progress import SILENT, Progress
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
    changed_paths: tuple[str, ...] = ()  # output files added, altered or removed, relative to `out`

    @classmethod
    def of(cls, digest: Digest, page_list: list[Page], changed_paths: tuple[str, ...] = ()) -> "Summary":
        return cls(
            pages=len(page_list),
            articles=len(digest.articles),
            claims=sum(len(a.claims) for a in digest.articles),
            caveats=sum(len(a.caveats) for a in digest.articles),
            warnings=digest.warnings,
            changed_paths=changed_paths,
        )

    @property
    def pages_changed(self) -> int:
        return sum(1 for path in self.changed_paths if path.endswith(".html"))


def check(root: Path) -> tuple[Diagnostic, ...]:
    """Validate the site in `root` without writing: its warnings, or ContentErrors."""
    return resolve(load_content(root), include_drafts=True).warnings


def build(root: Path, out: Path, include_drafts: bool = False, strict: bool = False,
          progress: Progress = SILENT, search: bool = True) -> Summary:
    """Build the site in `root` into `out`; raise ContentErrors (writing nothing) if content is wrong.

    With `search`, a Pagefind index is built too (SearchUnavailable if the binary is missing).
    """
    check_output_folder(out, root)
    progress.stage("reading")
    content = load_content(root)  # shape of every file; ContentErrors lists every problem
    progress.stage("resolving")
    digest = resolve(content, include_drafts)  # ids across files, anchored quotes: pure data
    if strict and digest.warnings:
        raise ContentErrors(digest.warnings)
    page_list = plan_pages(digest, search)  # nothing rendered yet
    progress.stage("rendering", total=len(page_list))
    env = make_environment(root / "templates")
    files = render_pages(page_list, digest, env, on_page=progress.advance) + static_files(root / "site" / "static")
    files += render_feeds(digest) + render_crawler_files(page_list, digest.config) + render_exports(digest)
    if search:
        progress.stage("indexing for search")
        files += search_index(files, digest.config.language)  # runs the pagefind binary
    progress.stage("writing")
    changed_paths = changed_files(files, out)  # before the swap: what the new site alters
    write_site(files, out)
    return Summary.of(digest, page_list, changed_paths)
