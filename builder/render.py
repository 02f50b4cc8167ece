"""Page -> HTML through the Jinja theme (site templates override the built-in ones)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import __version__, pages
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
    url = _relative_path(posixpath.dirname(from_page), target)
    if target == "" or target.endswith("/"):
        url = "./" if url == "." else url + "/"
    return url + (f"#{fragment}" if fragment else "")


def _relative_path(here: str, target: str) -> str:
    """posixpath.relpath(target or '.', here or '.') for plain site paths, without its cost.

    relpath makes both paths absolute against the working directory on every call; site
    paths are already relative to one root, so dropping the common folders is enough.
    """
    here_parts = [part for part in here.split("/") if part not in ("", ".")]
    target_parts = [part for part in target.split("/") if part not in ("", ".")]
    if ".." in here_parts or ".." in target_parts or here.startswith("/") or target.startswith("/"):
        return posixpath.relpath(target or ".", here or ".")
    common = 0
    for mine, theirs in zip(here_parts, target_parts):
        if mine != theirs:
            break
        common += 1
    parts = [".."] * (len(here_parts) - common) + target_parts[common:]
    return "/".join(parts) or "."


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
        version=__version__,
    )
    return env


def render_pages(page_list: list[Page], digest: Digest, env: jinja2.Environment) -> list[RenderedFile]:
    """Render every page to bytes; nothing is written here."""
    sources = {s.id: s for s in digest.sources}
    topics = {t.id: t for t in digest.topics}
    rendered = []
    for page in page_list:
        template = env.get_template(page.template)
        html = template.render(page=page, view=page.view, site=digest.config, sources=sources, topics=topics,
                               url=lambda target, _from=page.path: relative_url(_from, target))
        rendered.append(RenderedFile(page.path, html.encode("utf-8")))
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
