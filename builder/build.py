"""The pipeline: hash, read, resolve, plan, render what changed, write what differs.

`build` decides from input hashes whether anything changed (cache.py, inputs.py); `_build_changes`
is the pipeline proper, one stage a line; graph.py says which pages a change touches.
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from .engine.store import BuildCache, BuildRecord, OutputStamp, PageRecord, content_hash
from .stages.diagnostics import ContentErrors, Diagnostic
from .inputs import Keys, article_keys, hash_files, input_files, make_keys
from .stages.output import KeptFile, PlacedFile, check_output_folder, staging_folder, write_site
from .progress import SILENT, Progress

if TYPE_CHECKING:
    import jinja2

    from .stages.exports import ArticleExport
    from .memo import PageRender, PlacedPage
    from .stages.pages import Page
    from .stages.render import RenderedFile
    from .stages.resolve import Digest

# Below these, starting workers and shipping them the pages costs more than it saves (measured on 2
# cores): an article to parse and anchor costs ~10 ms, a page to render ~3 ms. A given executor is always used.
MIN_PARALLEL = 48  # articles to parse
MIN_PARALLEL_PAGES = 400  # pages to render


@dataclass(frozen=True)
class Summary:
    pages: int
    articles: int
    claims: int
    caveats: int
    warnings: tuple[Diagnostic, ...]
    changed_paths: tuple[str, ...] = ()  # output files added, altered or removed, relative to `out`
    written: int = 0  # output files whose bytes changed
    rendered: int = 0  # pages rendered (the others were reused)

    @classmethod
    def of(cls, digest: Digest, page_list: list[Page]) -> "Summary":
        return cls(
            pages=len(page_list),
            articles=len(digest.articles),
            claims=sum(len(a.claims) for a in digest.articles),
            caveats=sum(len(a.caveats) for a in digest.articles),
            warnings=digest.warnings,
        )

    @property
    def pages_changed(self) -> int:
        return sum(1 for path in self.changed_paths if path.endswith(".html"))


def check(root: Path) -> tuple[Diagnostic, ...]:
    """Validate the site in `root` without writing: its warnings, or ContentErrors."""
    from .stages.content import load_content
    from .stages.resolve import resolve

    return resolve(load_content(root), include_drafts=True).warnings


def build(root: Path, out: Path, include_drafts: bool = False, strict: bool = False, progress: Progress = SILENT,
          search: bool = True, jobs: int | None = None, clean: bool = False, use_cache: bool = True,
          executor: Executor | None = None) -> Summary:
    """Build the site in `root` into `out`; raise ContentErrors (writing nothing) if content is wrong.

    Only pages whose inputs changed are rendered (graph.py); `clean` ignores the cache, `use_cache=False`
    neither reads nor writes it. `jobs` processes render (default: every core), or `executor` if given.
    With `search`, a Pagefind index is built too (SearchUnavailable if the binary is missing).
    """
    check_output_folder(out, root)
    with _collector_paused():
        return _build(root, out, include_drafts, strict, progress, search, jobs, clean, use_cache, executor)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while building: a build holds a million objects that live as
    long as it does, and each full collection walks them all (unpickling 10,000 cached articles
    took 6 s with it, 1.5 s without). Memory is still freed by reference counting; the few cycles
    made meanwhile are collected once it is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _build(root: Path, out: Path, include_drafts: bool, strict: bool, progress: Progress, search: bool,
           jobs: int | None, clean: bool, use_cache: bool, executor: Executor | None) -> Summary:
    record_name = f"build:{out.resolve()}"
    cache = BuildCache(root, ignore_existing=clean or not use_cache)
    hashes = hash_files(input_files(root), cache)
    keys = make_keys(hashes, include_drafts, search)
    last = cache.get(record_name)
    last = last if isinstance(last, BuildRecord) else None
    try:
        if last is not None and last.build_key == keys.build and _output_intact(last, out):
            # Every input as at the last successful build: its verdict (warnings included) stands.
            if strict and last.summary.warnings:
                raise ContentErrors(last.summary.warnings)
            return replace(last.summary, changed_paths=(), written=0, rendered=0)
        summary, pages, memo_names, index_state = _build_changes(root, out, include_drafts, strict, progress, search, jobs,
                                                    executor, cache, keys, article_keys(hashes), last)
        if use_cache:
            cache.put(record_name, BuildRecord(keys.build, summary, pages, index_state))
            cache.commit(keep=memo_names)
        return summary
    finally:
        cache.close()


def _build_changes(root: Path, out: Path, include_drafts: bool, strict: bool, progress: Progress, search: bool,
                   jobs: int | None, executor: Executor | None, cache: BuildCache, keys: Keys,
                   articles: dict[str, str], last: BuildRecord | None) -> tuple[Summary, dict[str, PageRecord], set[str], str]:
    """Read, resolve and plan everything; render the pages whose inputs changed; write what differs."""
    # Imported here: a build with nothing to do finishes before loading the parsers and templates.
    import jinja2

    from . import graph
    from .stages.content import load_content
    from .stages.exports import render_exports
    from .stages.feeds import feed_file, plan_feeds
    from .memo import ArticleMemo
    from .stages.pages import plan_pages
    from .engine.parallel import LazyProcessPool, default_jobs
    from .stages.render import CachedBytecode, make_environment, render_pages, static_files, template_diagnostic
    from .stages.resolve import resolve
    from .stages.sitemap import SITEMAP_FILE, robots_file, sitemap_file, sitemap_inputs

    if search:
        from .stages.search import pagefind_binary

        pagefind_binary()  # a missing binary fails before anything is rendered (SearchUnavailable)
    workers = jobs or default_jobs()
    pool = executor or (LazyProcessPool(workers) if workers > 1 else None)
    staging = staging_folder(out.resolve())
    new_staging = not staging.exists()  # removed again if this build fails: it leaves nothing behind
    finished = False
    try:
        if isinstance(pool, LazyProcessPool) and len(articles) >= MIN_PARALLEL:
            pool.start()  # before the cache is loaded (see LazyProcessPool.start)
        progress.stage("reading")
        memo = ArticleMemo(cache, articles)
        environment = make_environment(root / "templates", CachedBytecode(cache))
        render_now = _page_render(root, out, search, keys, environment)
        memo.prewarm(root, pool, 1 if executor else MIN_PARALLEL, render_now)  # each article's own work, once per key
        content = load_content(root, memo)  # every file's shape; cached articles replay their problems
        progress.stage("resolving")
        digest = resolve(content, include_drafts, memo)  # ids across files, anchors: pure data
        if strict and digest.warnings:
            raise ContentErrors(digest.warnings)
        page_list = plan_pages(digest, search)  # nothing rendered yet
        templates = graph.template_keys(environment, (p.template for p in page_list))
        registries = graph.registry_hashes(digest)
        listing_keys = memo.listing_keys()
        index_state = graph.index_state(keys.site, templates, registries, digest, listing_keys)
        previous = last.pages if last is not None else {}
        same_indexes = last is not None and last.index_state == index_state
        page_keys = graph.PageKeys(keys.site, templates, articles, listing_keys).keys(page_list, previous if same_indexes else None)
        stale = [p for p in page_list if not graph.is_current(previous.get(p.path), page_keys[p.path], registries, out, p.path)]
        placed = _placed_pages(stale, memo.placed, page_keys)  # rendered by prewarm, as the plan has them
        to_render = [p for p in stale if p.path not in placed]
        progress.stage("rendering", total=len(to_render))
        render_on = pool if executor or len(to_render) >= MIN_PARALLEL_PAGES else None
        rendered = render_pages(to_render, digest, root / "templates", render_on, keys.build,
                                has_search=search, on_page=progress.advance, environment=environment)
        records: dict[str, PageRecord] = {}
        files: Iterator[RenderedFile | KeptFile | PlacedFile] = _output_files(
            page_list, placed, rendered, previous, page_keys, registries, records)

        def keyed(path: str, key: str, make: Callable[[], RenderedFile]) -> RenderedFile | KeptFile:
            """A whole-digest file with a key (graph.py): kept while the output has it as the last build left it."""
            records[path] = (key, ())
            return KeptFile(path) if graph.is_current(previous.get(path), key, registries, out, path) else make()

        extras: list[RenderedFile | KeptFile] = [
            keyed(feed.path, graph.feed_key(feed, keys.site, articles, registries), partial(feed_file, feed, digest))
            for feed in plan_feeds(digest)]
        if digest.config.base_url:
            extras.append(keyed(SITEMAP_FILE, content_hash(keys.site, *sitemap_inputs(page_list)),
                                partial(sitemap_file, page_list, digest.config)))
        # The exports change with any article: made again each time, from the articles' cached shares.
        shares, share_names = _export_shares(digest, cache, articles, registries, memo.shares)
        extras += [robots_file(digest.config), *render_exports(digest, shares)]
        if search:
            page_files = list(files)  # Pagefind needs every page at once
            files = iter(page_files)
            progress.stage("indexing for search")
            extras += _search_index(page_files, out, digest.config.language)
        progress.stage("writing")
        result = write_site(chain(files, static_files(root / "site" / "static"), extras), out)  # streamed
        finished = True
    except jinja2.TemplateError as error:  # a site's own template is content too: located, no traceback
        raise ContentErrors((template_diagnostic(error, root),)) from error
    finally:
        if pool is not executor and pool is not None:
            pool.shutdown()
        if not finished and new_staging:
            shutil.rmtree(staging, ignore_errors=True)
    summary = replace(Summary.of(digest, page_list), changed_paths=result.changed, written=result.written,
                      rendered=len(stale))
    out = out.resolve()
    pages = {path: PageRecord(*records.get(path, ("", ())), OutputStamp.of(os.path.join(out, path)))
             for path in result.files}
    return summary, pages, memo.stored_names() | share_names, index_state


def _export_shares(digest: Digest, cache: BuildCache, article_keys: dict[str, str], registries: dict[str, dict[str, str]],
                   made: dict[str, ArticleExport]) -> tuple[list[ArticleExport], set[str]]:
    """Each article's share of the exports (exports.py), reused while its files, the config and the
    topics are unchanged, or `made` by prewarm (from the same topics); and the cache names they
    are stored under."""
    from .stages.exports import ArticleExport, article_export
    from .stages.render import EVERYTHING

    topics = registries["topics"][EVERYTHING]
    names = {a.slug: f"export:{content_hash(article_keys[a.slug], topics)}" for a in digest.articles}
    stored = cache.get_many(names.values())
    shares = []
    for article in digest.articles:
        share = stored.get(names[article.slug])
        if not isinstance(share, ArticleExport):
            share = made.get(article.slug) or article_export(digest, article)
            cache.put(names[article.slug], share)
        shares.append(share)
    return shares, set(names.values())


def _search_index(page_files: list[RenderedFile | KeptFile | PlacedFile], out: Path, language: str) -> list[RenderedFile]:
    """Pagefind's bundle for every page: kept pages are read back from the output they stand in,
    placed ones from the staging folder."""
    from .stages.output import staging_folder
    from .stages.render import RenderedFile
    from .stages.search import search_index

    staging = staging_folder(out.resolve())
    pages = [RenderedFile(file.path, (out / file.path).read_bytes()) if isinstance(file, KeptFile)
             else RenderedFile(file.path, (staging / file.path).read_bytes()) if isinstance(file, PlacedFile)
             else file for file in page_files]
    return search_index(pages, language)  # runs the pagefind binary


def _page_render(root: Path, out: Path, search: bool, keys: Keys, environment: jinja2.Environment) -> PageRender | None:
    """What prewarm needs to render article pages as it anchors them (memo.py), if the config,
    sources and topics are as they should be (else the build fails anyway)."""
    from .stages.content import load_registries
    from .graph import template_keys
    from .memo import PageRender
    from .stages.output import prepare_staging

    registries = load_registries(root)
    if registries is None:
        return None
    config, sources, topics = registries
    template = "article.html"
    return PageRender(str(root / "templates"), keys.build, config, {s.id: s for s in sources}, {t.id: t for t in topics},
                      search, keys.site, template_keys(environment, [template])[template], str(out.resolve()),
                      str(prepare_staging(out)))


def _placed_pages(stale: list[Page], placed: dict[str, PlacedPage], page_keys: dict[str, str]) -> dict[str, PlacedPage]:
    """The stale pages that prewarm rendered under the key the plan gives them: path -> how."""
    from .stages.pages import ArticleView

    found = {}
    for page in stale:
        if isinstance(page.view, ArticleView):
            done = placed.get(page.view.article.slug)
            if done is not None and done.path == page.path and done.key == page_keys[page.path]:
                found[page.path] = done
    return found


def _output_files(page_list: list[Page], placed: dict[str, PlacedPage], rendered: Iterator[RenderedFile],
                  previous: dict[str, PageRecord], page_keys: dict[str, str], registries: dict,
                  records: dict[str, tuple]) -> Iterator[RenderedFile | KeptFile | PlacedFile]:
    """The pages placed by prewarm, the rendered ones as they come, then every other page kept;
    fills `records` for the next build."""
    from .graph import lookup_hashes

    for path, done in placed.items():
        records[path] = (page_keys[path], lookup_hashes(done.lookups, registries))
        yield PlacedFile(path, done.written)
    for file in rendered:
        records[file.path] = (page_keys[file.path], lookup_hashes(file.lookups, registries))
        yield file
    for page in page_list:
        if page.path not in records:
            records[page.path] = (previous[page.path].key, previous[page.path].lookups)
            yield KeptFile(page.path)


def _output_intact(last: BuildRecord, out: Path) -> bool:
    """Whether every file the last build wrote is still there, as it was written."""
    folder = str(out.resolve()) + os.sep  # joined by hand: this runs for every page of a no-change build
    return os.path.isdir(folder) and all(record.stamp is not None and OutputStamp.of(folder + path) == record.stamp
                                         for path, record in last.pages.items())
