"""The pipeline, one screen: hash, read, resolve, plan, render what changed, write what differs."""

from __future__ import annotations

import os
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from .cache import BuildCache, BuildRecord, OutputStamp, PageRecord
from .inputs import Keys, article_keys, hash_files, input_files, make_keys
from .output import KeptFile, check_output_folder, write_site

if TYPE_CHECKING:
    from .pages import Page
    from .render import RenderedFile
    from .resolve import Digest

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
    written: int = 0  # output files whose bytes changed
    rendered: int = 0  # pages rendered (the others were reused)

    @classmethod
    def of(cls, digest: Digest, page_list: list[Page]) -> "Summary":
        return cls(
            pages=len(page_list),
            articles=len(digest.articles),
            claims=sum(len(a.claims) for a in digest.articles),
            caveats=sum(len(a.caveats) for a in digest.articles),
        )


def build(root: Path, out: Path, include_drafts: bool = False, jobs: int | None = None, clean: bool = False,
          use_cache: bool = True, executor: Executor | None = None) -> Summary:
    """Build the site in `root` into `out`; raise ContentErrors (writing nothing) if content is wrong.

    Only pages whose inputs changed are rendered (graph.py); `clean` ignores the cache, `use_cache=False`
    neither reads nor writes it. `jobs` processes render (default: every core), or `executor` if given.
    """
    check_output_folder(out, root)
    record_name = f"build:{out.resolve()}"
    cache = BuildCache(root, ignore_existing=clean or not use_cache)
    hashes = hash_files(input_files(root), cache)
    keys = make_keys(hashes, include_drafts)
    last = cache.get(record_name)
    last = last if isinstance(last, BuildRecord) else None
    try:
        if last is not None and last.build_key == keys.build and _output_intact(last, out):
            return replace(last.summary, written=0, rendered=0)  # every input as last time: nothing to do
        summary, pages, memo_names = _build_changes(root, out, include_drafts, jobs, executor, cache,
                                                    keys, article_keys(hashes), last)
        if use_cache:
            cache.put(record_name, BuildRecord(keys.build, summary, pages))
            cache.commit(keep=memo_names)
        return summary
    finally:
        cache.close()


def _build_changes(root: Path, out: Path, include_drafts: bool, jobs: int | None, executor: Executor | None,
                   cache: BuildCache, keys: Keys, articles: dict[str, str],
                   last: BuildRecord | None) -> tuple[Summary, dict[str, PageRecord], set[str]]:
    """Read, resolve and plan everything; render the pages whose inputs changed; write what differs."""
    # Imported here: a build with nothing to do finishes before loading the parsers and templates.
    from . import graph
    from .content import load_content
    from .memo import ArticleMemo
    from .pages import plan_pages
    from .parallel import LazyProcessPool, default_jobs
    from .render import make_environment, render_pages, static_files
    from .resolve import resolve

    workers = jobs or default_jobs()
    pool = executor or (LazyProcessPool(workers) if workers > 1 else None)
    try:
        if isinstance(pool, LazyProcessPool) and len(articles) >= MIN_PARALLEL:
            pool.start()  # before the cache is loaded (see LazyProcessPool.start)
        memo = ArticleMemo(cache, articles)
        memo.prewarm(root, pool, 1 if executor else MIN_PARALLEL)  # each article's own work, once per key
        content = load_content(root, memo)  # every file's shape; cached articles replay their problems
        digest = resolve(content, include_drafts, memo)  # ids across files, anchors: pure data
        page_list = plan_pages(digest)  # nothing rendered yet
        templates = graph.template_keys(make_environment(root / "templates"), (p.template for p in page_list))
        page_keys = graph.PageKeys(keys.site, templates, articles, memo.listing_keys()).keys(page_list)
        registries = graph.registry_hashes(digest)
        previous = last.pages if last is not None else {}
        stale = [p for p in page_list if not graph.is_current(previous.get(p.path), page_keys[p.path], registries, out, p.path)]
        render_on = pool if executor or len(stale) >= MIN_PARALLEL_PAGES else None
        rendered = render_pages(stale, digest, root / "templates", render_on, keys.build)
        records: dict[str, PageRecord] = {}
        files = _output_files(page_list, rendered, previous, page_keys, registries, records)
        result = write_site(chain(files, static_files(root / "site" / "static")), out)  # streamed
    finally:
        if pool is not executor and pool is not None:
            pool.shutdown()
    summary = replace(Summary.of(digest, page_list), written=result.written, rendered=len(stale))
    out = out.resolve()
    pages = {path: PageRecord(*records.get(path, ("", ())), OutputStamp.of(os.path.join(out, path)))
             for path in result.files}
    return summary, pages, memo.stored_names()


def _output_files(page_list: list[Page], rendered: Iterator[RenderedFile], previous: dict[str, PageRecord],
                  page_keys: dict[str, str], registries: dict, records: dict[str, tuple]) -> Iterator[RenderedFile | KeptFile]:
    """Every page in order: freshly rendered if stale, else kept; fills `records` for the next build."""
    from .graph import lookup_hashes

    next_rendered = next(rendered, None)
    for page in page_list:
        if next_rendered is not None and next_rendered.path == page.path:
            records[page.path] = (page_keys[page.path], lookup_hashes(next_rendered.lookups, registries))
            yield next_rendered
            next_rendered = next(rendered, None)
        else:
            records[page.path] = (previous[page.path].key, previous[page.path].lookups)
            yield KeptFile(page.path)


def _output_intact(last: BuildRecord, out: Path) -> bool:
    """Whether every file the last build wrote is still there, as it was written."""
    folder = str(out.resolve())
    return os.path.isdir(folder) and all(record.stamp is not None and OutputStamp.of(os.path.join(folder, path)) == record.stamp
                                         for path, record in last.pages.items())
