"""Page -> HTML through the Jinja theme.

Templates come from a TemplateSet (theme.py), so a page renders the same in any process. While a page
renders, every source and topic its templates look up by id is recorded (`RenderedFile.lookups`):
the page depends on those entries, and on no others, so a change to another source leaves it alone.
"""

from __future__ import annotations

import functools
import posixpath
import traceback
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping
from typing import Any, Iterable, Iterator

import jinja2
from jinja2 import meta

from .. import __version__
from . import addresses, citations, crossrefs, pages, structured, updates
from .diagnostics import Diagnostic, Location
from .pages import Page
from .resolve import Registry
from .theme import TemplateSet

EVERYTHING = "*"  # a look-up of a whole registry (iterating it)


@dataclass(frozen=True)
class RenderedFile:
    path: str  # relative to the output folder
    data: bytes
    lookups: tuple[tuple[str, str], ...] = ()  # (registry, id) the templates read, sorted


def relative_url(from_page: str, target: str) -> str:
    """A link from the page at `from_page` to a site path, working from any sub-path and host."""
    target, _, fragment = target.partition("#")
    url = _relative_path(posixpath.dirname(from_page), target)
    if target == "" or target.endswith("/"):
        url = "./" if url == "." else url + "/"
    return url + (f"#{fragment}" if fragment else "")


@functools.lru_cache(maxsize=1 << 15)  # a page links to the same few places many times
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


def make_environment(templates: TemplateSet, bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """Jinja with autoescape and StrictUndefined: a typo in a template is an error, not blank text."""
    def load(name: str) -> tuple[str, str, Any] | None:
        found = templates.source(name)
        return None if found is None else (found[0], found[1], lambda: True)

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        bytecode_cache=bytecode_cache,
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
        claimant_url=pages.claimant_url,
        status_url=pages.status_url,
        HOME=pages.HOME, TOPICS=pages.TOPICS, SOURCES=pages.SOURCES, DISCREPANCIES=pages.DISCREPANCIES,
        SEARCH=pages.SEARCH, CLAIMANTS=pages.CLAIMANTS, STATUSES=pages.STATUSES, UPDATES=pages.UPDATES,
        UPDATES_FEED=pages.UPDATES_FEED,
        cited_sources=citations.cited_sources,
        is_document=citations.is_document,
        event_title=updates.event_title,
        version=__version__,
        absolute_url=addresses.absolute_url,
        article_structured_data=structured.article_structured_data,
        script_json=structured.script_json,
    )
    return env


_environments: dict[str, jinja2.Environment] = {}


def environment_for(templates: TemplateSet, templates_key: str,
                    bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """This process's environment for a TemplateSet (made once per process and key)."""
    env = _environments.get(templates_key)
    if env is None:
        _environments.clear()
        env = _environments[templates_key] = make_environment(templates, bytecode_cache)
    return env


def render_page(env: jinja2.Environment, registry: Registry, has_search: bool, page: Page) -> RenderedFile:
    """The page's HTML, and the registry entries its templates looked up (sources, topics, claimants
    by the name a claim gives, and the targets of articles its id links point into)."""
    looked_up = {"sources": _RecordingRegistry(registry.sources), "topics": _RecordingRegistry(registry.topics),
                 "claimants": _RecordingRegistry(registry.claimants), "targets": _RecordingRegistry(registry.targets)}
    template = env.get_template(page.template)
    config = registry.config
    if page.links_from_site_root:
        url = lambda target: addresses.root_relative_url(config, target)  # noqa: E731
    else:
        url = lambda target, _from=page.path: relative_url(_from, target)  # noqa: E731

    def links(html_text: str, article_slug: str) -> Any:
        """Content HTML (an article's text, a note) with its links as this page must write them."""
        return crossrefs.resolve_links(html_text, article_slug, page.path, url, looked_up["targets"])

    html = template.render(page=page, view=page.view, site=config, **looked_up, url=url, has_search=has_search,
                           page_address=addresses.page_address(page.path), links=links)
    lookups = tuple((name, entry_id) for name, registry_read in sorted(looked_up.items())
                    for entry_id in sorted(registry_read.read))
    return RenderedFile(page.path, html.encode("utf-8"), lookups)


def template_uses(env: jinja2.Environment, templates: TemplateSet, names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each template name: it and every template it extends, includes or imports, transitively, by name.

    A template that names another through a variable could use any: it uses them all. A name that
    is not in the set stays in the list too (`include ... ignore missing`: its absence is an input).
    """
    uses: dict[str, set[str] | None] = {}

    def visit(name: str) -> None:
        if name in uses:
            return
        found = templates.source(name)
        # Parsed with its file name, so that a syntax error is located in the site's template.
        referenced = list(meta.find_referenced_templates(env.parse(found[0], name, found[1]))) if found else []
        uses[name] = None if None in referenced else set(referenced)
        for other in uses[name] or ():
            visit(other)

    def closure(name: str, seen: set[str]) -> set[str] | None:
        if name in seen:
            return seen
        seen.add(name)
        if uses[name] is None:
            return None
        for other in uses[name] or ():
            if closure(other, seen) is None:
                return None
        return seen

    found_uses = {}
    for name in sorted(set(names)):
        visit(name)
        used = closure(name, set())
        found_uses[name] = tuple(sorted(used if used is not None else set(templates.names()) | {name}))
    return found_uses


class _RecordingRegistry(Mapping):
    """A registry (id -> Source, Topic, ...) that notes which ids a template read. It wraps any Mapping,
    so a registry may make its entries on demand (the claimants of names, the targets of articles)."""

    def __init__(self, entries: Mapping) -> None:
        self.entries = entries
        self.read: set[str] = set()

    def __getitem__(self, key: Any) -> Any:
        self.read.add(str(key))
        return self.entries[key]

    def get(self, key: Any, default: Any = None) -> Any:
        self.read.add(str(key))
        return self.entries.get(key, default)

    def __contains__(self, key: Any) -> bool:
        self.read.add(str(key))
        return key in self.entries

    def __iter__(self) -> Iterator:
        self.read.add(EVERYTHING)
        return iter(self.entries)

    def __len__(self) -> int:
        self.read.add(EVERYTHING)
        return len(self.entries)


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
