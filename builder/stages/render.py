"""Page -> HTML through the Jinja theme (site templates override the built-in ones)."""

from __future__ import annotations

import dataclasses
import functools
import os
import posixpath
import traceback
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import jinja2

from .. import __version__
from . import addresses, citations, crossrefs, pages, structured, updates
from .diagnostics import Diagnostic, Location
from .theme import builtin_theme
from .model import SiteConfig, Source, Topic
from .pages import Page
from ..engine.parallel import ordered_map
from .resolve import Digest, targets_of

EVERYTHING = "*"  # a look-up of the whole registry (iterating it); graph.py uses the same name

@dataclass(frozen=True)
class RenderedFile:
    path: str  # relative to the output folder
    data: bytes
    lookups: tuple[tuple[str, str], ...] = ()  # (registry, id) the template read, for graph.py


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


def make_environment(site_templates: Path | None, bytecode_cache: jinja2.BytecodeCache | None = None) -> jinja2.Environment:
    """Jinja with autoescape and StrictUndefined: a typo in a template is an error, not blank text."""
    folders = [site_templates] if site_templates and site_templates.is_dir() else []
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*folders, builtin_theme()]),
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


def render_pages(page_list: list[Page], digest: Digest, site_templates: Path | None,
                 executor: Executor | None = None, templates_key: str = "", has_search: bool = False,
                 on_page: Callable[[], None] = lambda: None, environment: jinja2.Environment | None = None) -> Iterator[RenderedFile]:
    """Render pages to bytes on `executor` if given (any concurrent.futures.Executor), in a fixed order.

    With an executor, article pages go to it and index pages are rendered here, between its
    results: an index page's view lists much of the digest, which costs more to pickle and
    unpickle than to render. `templates_key` names the state of the templates (the build key
    will do): a worker that has compiled them under that key reuses them; `environment`, if
    given, renders the pages done here. `has_search`: the site has a search page, so every page
    shows the search box. Nothing is written here.
    """
    sources = {s.id: s for s in digest.sources}
    topics = {t.id: t for t in digest.topics}
    registries = desk_registries(digest)
    folder = str(site_templates) if site_templates is not None else None
    if environment is not None:
        _environments.clear()
        _environments[(folder, templates_key)] = environment
    shipped = [p for p in page_list if executor is not None and isinstance(p.view, pages.ArticleView)]
    local = [p for p in page_list if executor is None or not isinstance(p.view, pages.ArticleView)]
    chunks = [shipped[i:i + RENDER_CHUNK] for i in range(0, len(shipped), RENDER_CHUNK)]
    # A worker gets the entries of the desk registries its pages look up, not the whole digest's.
    subsets = [registries_for(chunk, registries) for chunk in chunks]
    tasks = ((folder, templates_key, digest.config, sources, topics, has_search, _with_bodies(chunk, digest), subset)
             for chunk, subset in zip(chunks, subsets))  # lazily: the bodies are read as the workers need them
    task_count = len(chunks)
    done_here = 0
    for task_number, rendered in enumerate(ordered_map(executor, render_chunk, tasks), start=1):
        chunk, subset = chunks[task_number - 1], subsets[task_number - 1]
        rendered = [file if not read_beyond(file, subset, registries) else
                    render_chunk(folder, templates_key, digest.config, sources, topics, has_search,
                                 _with_bodies([page], digest), registries)[0]
                    for file, page in zip(rendered, chunk)]
        # This process's share, spread between the workers' results so that both keep busy.
        due = len(local) * task_number // task_count
        rendered += render_chunk(folder, templates_key, digest.config, sources, topics, has_search,
                                 _with_bodies(local[done_here:due], digest), registries)
        done_here = due
        for file in rendered:
            yield file
            on_page()
    rest = _with_bodies(local[done_here:], digest)
    for file in render_chunk(folder, templates_key, digest.config, sources, topics, has_search, rest, registries):
        yield file
        on_page()


def _with_bodies(page_list: list[Page], digest: Digest) -> tuple[Page, ...]:
    """The pages, each article page's view given its article's body (Digest.articles have none)."""
    return tuple(dataclasses.replace(page, view=pages.ArticleView(digest.with_body(page.view.article), page.view.compared,
                                                                  page.view.outlet))
                 if isinstance(page.view, pages.ArticleView) else page for page in page_list)


RENDER_CHUNK = 32
_environments: dict[tuple[str | None, str], jinja2.Environment] = {}


def render_chunk(site_templates: str | None, templates_key: str, config: SiteConfig, sources: dict[str, Source],
                 topics: dict[str, Topic], has_search: bool, page_list: tuple[Page, ...],
                 registries: dict[str, dict] | None = None) -> list[RenderedFile]:
    """Render a few pages: a task for any Executor (its arguments and result pickle)."""
    env = environment_for(site_templates, templates_key)
    return [render_page(env, config, sources, topics, has_search, page, registries) for page in page_list]


def registries_for(page_list: list[Page], registries: dict[str, dict]) -> dict[str, dict]:
    """The entries of the desk registries that article pages look up: their claims' claimants, and
    their own and their id links' targets."""
    names: set[str] = set()
    slugs: set[str] = set()
    for page in page_list:
        article = page.view.article
        slugs.add(article.slug)
        names.update(c.claim.claimant for c in article.claims)
        for link in article.links:
            parsed = crossrefs.parse_id_link(link.href) if link.kind == "id" else None
            if parsed is not None and parsed[0] == "article":
                slugs.add(parsed[1])
    return {"claimants": {n: registries["claimants"][n] for n in sorted(names) if n in registries["claimants"]},
            "targets": {s: registries["targets"][s] for s in sorted(slugs) if s in registries["targets"]}}


def read_beyond(file: RenderedFile, subset: dict[str, dict], registries: dict[str, dict]) -> bool:
    """Whether a page rendered with only `subset` of the registries looked up an entry it lacked
    (a site's own template may look up anything): then it must be rendered with them all."""
    return any(name in subset and (entry_id == EVERYTHING or entry_id not in subset[name] and entry_id in registries[name])
               for name, entry_id in file.lookups)


def desk_registries(digest: Digest) -> dict[str, dict]:
    """The registries templates look entries up in beside sources and topics (see graph.py): the
    claimant a claim's `claimant` stands for, by the name written, and what id links can point at
    in each article, by slug (a page resolves the id links it shows, see crossrefs)."""
    return {"claimants": dict(digest.claimants.names), "targets": {a.slug: targets_of(a) for a in digest.articles}}


def environment_for(site_templates: str | None, templates_key: str) -> jinja2.Environment:
    """This process's environment for the templates in the state `templates_key` names."""
    env = _environments.get((site_templates, templates_key))
    if env is None:
        _environments.clear()
        env = _environments[(site_templates, templates_key)] = make_environment(
            Path(site_templates) if site_templates is not None else None)
    return env


def render_page(env: jinja2.Environment, config: SiteConfig, sources: dict[str, Source], topics: dict[str, Topic],
                has_search: bool, page: Page, registries: dict[str, dict] | None = None) -> RenderedFile:
    """One page; `registries` (desk_registries) holds at least the entries the page looks up."""
    looked_up = {"sources": _RecordingRegistry(sources), "topics": _RecordingRegistry(topics),
                 **{name: _RecordingRegistry(entries) for name, entries in (registries or {}).items()}}
    for name in ("claimants", "targets"):
        looked_up.setdefault(name, _RecordingRegistry({}))
    template = env.get_template(page.template)
    if page.links_from_site_root:
        url = lambda target: addresses.root_relative_url(config, target)  # noqa: E731
    else:
        url = lambda target, _from=page.path: relative_url(_from, target)  # noqa: E731

    def links(html_text: str, article_slug: str) -> Any:
        """Content HTML (an article's text, a note) with its links as this page must write them."""
        return crossrefs.resolve_links(html_text, article_slug, page.path, url, looked_up["targets"])

    html = template.render(page=page, view=page.view, site=config, **looked_up, url=url, has_search=has_search,
                           page_address=addresses.page_address(page.path), links=links)
    lookups = tuple((name, entry_id) for name, registry in sorted(looked_up.items())
                    for entry_id in sorted(registry.read))
    return RenderedFile(page.path, html.encode("utf-8"), lookups)


class _RecordingRegistry(dict):
    """A registry (id -> Source or Topic) that notes which ids a template read, for graph.py."""

    def __init__(self, entries: dict) -> None:
        super().__init__(entries)
        self.read: set[str] = set()

    def __getitem__(self, key: Any) -> Any:
        self.read.add(str(key))
        return super().__getitem__(key)

    def get(self, key: Any, default: Any = None) -> Any:
        self.read.add(str(key))
        return super().get(key, default)

    def __contains__(self, key: Any) -> bool:
        self.read.add(str(key))
        return super().__contains__(key)

    def _everything(self) -> None:
        self.read.add(EVERYTHING)

    def __iter__(self) -> Iterator:
        self._everything()
        return super().__iter__()

    def __len__(self) -> int:
        self._everything()
        return super().__len__()

    def keys(self) -> Any:
        self._everything()
        return super().keys()

    def values(self) -> Any:
        self._everything()
        return super().values()

    def items(self) -> Any:
        self._everything()
        return super().items()


class CachedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in the build cache (verified like every blob there, see cache.py),
    so that a rebuild does not compile them again. Used by the process that made it only: a
    forked worker must not share its database connection."""

    def __init__(self, cache: Any) -> None:
        self.cache = cache
        self.process = os.getpid()

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.cache.get(f"jinja:{bucket.key}") if os.getpid() == self.process else None
        if isinstance(data, bytes):
            bucket.bytecode_from_string(data)  # ignored by Jinja if the template's source changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if os.getpid() == self.process:
            self.cache.put(f"jinja:{bucket.key}", bucket.bytecode_to_string())


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
