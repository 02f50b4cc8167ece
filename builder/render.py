"""Page -> HTML through the Jinja theme (site templates override the built-in ones)."""

from __future__ import annotations

import posixpath
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2

from . import __version__, addresses, pages, structured
from .diagnostics import Diagnostic, Location
from .pages import Page
from .resolve import Digest

PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_theme() -> Path:
    """The built-in templates: inside the installed package, or at the top of a source checkout."""
    installed = PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "templates"


@dataclass(frozen=True)
class RenderedFile:
    path: str  # relative to the output folder
    data: bytes


def relative_url(from_page: str, target: str) -> str:
    """A link from the page at `from_page` to a site path, working from any sub-path and host."""
    target, _, fragment = target.partition("#")
    here = posixpath.dirname(from_page) or "."
    url = posixpath.relpath(target or ".", here)
    if target == "" or target.endswith("/"):
        url = "./" if url == "." else url + "/"
    return url + (f"#{fragment}" if fragment else "")


def make_environment(site_templates: Path | None) -> jinja2.Environment:
    """Jinja with autoescape and StrictUndefined: a typo in a template is an error, not blank text."""
    folders = [site_templates] if site_templates and site_templates.is_dir() else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, builtin_theme()]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        article_url=pages.article_url,
        topic_url=pages.topic_url,
        source_url=pages.source_url,
        HOME=pages.HOME, TOPICS=pages.TOPICS, SOURCES=pages.SOURCES, DISCREPANCIES=pages.DISCREPANCIES,
        SEARCH=pages.SEARCH,
        version=__version__,
        absolute_url=addresses.absolute_url,
        article_structured_data=structured.article_structured_data,
        script_json=structured.script_json,
    )
    return env


def render_pages(page_list: list[Page], digest: Digest, env: jinja2.Environment,
                 on_page: Callable[[], None] = lambda: None) -> list[RenderedFile]:
    """Render every page to bytes; nothing is written here."""
    sources = {s.id: s for s in digest.sources}
    topics = {t.id: t for t in digest.topics}
    has_search = any(page.template == "search.html" for page in page_list)
    rendered = []
    for page in page_list:
        template = env.get_template(page.template)
        if page.links_from_site_root:
            url = lambda target: addresses.root_relative_url(digest.config, target)  # noqa: E731
        else:
            url = lambda target, _from=page.path: relative_url(_from, target)  # noqa: E731
        html = template.render(page=page, view=page.view, site=digest.config, sources=sources, topics=topics,
                               url=url, has_search=has_search,
                               page_address=addresses.page_address(page.path))
        rendered.append(RenderedFile(page.path, html.encode("utf-8")))
        on_page()
    return rendered


def static_files(site_static: Path) -> list[RenderedFile]:
    """The theme's static assets, overridden file by file by the site's own static/ folder."""
    files: dict[str, bytes] = {}
    for folder in (builtin_theme() / "static", site_static):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    files["static/" + path.relative_to(folder).as_posix()] = path.read_bytes()
    return [RenderedFile(path, data) for path, data in sorted(files.items())]


def template_diagnostic(error: jinja2.TemplateError, site_root: Path) -> Diagnostic:
    """A template's error, located at the template line (relative to the site root when it is the site's)."""
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not filename:  # raised while rendering: Jinja puts template lines into the traceback
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith((".html", ".xml", ".txt"))]
        filename, line = (frames[-1].filename, frames[-1].lineno) if frames else ("templates", 1)
    path = Path(filename).resolve()
    shown = path.relative_to(site_root.resolve()).as_posix() if path.is_relative_to(site_root.resolve()) else str(path)
    message = error.message if isinstance(error, jinja2.TemplateSyntaxError) and error.message else str(error)
    return Diagnostic(Location(shown, line or 1), f"template error: {message}")
