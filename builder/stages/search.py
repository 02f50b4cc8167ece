"""Rendered pages -> a sharded Pagefind full-text index (pagefind/<shard>/), built by the bundled binary.

Each article page belongs to one shard, picked by a hash of its slug; topic, source and claimant
pages, which index only their name and description, share the shard SITE_SHARD. Every shard is a
Pagefind bundle of its own, built by one pagefind process over that shard's pages only, so
re-indexing an edit costs one shard and peak memory is bounded by the shard. The search page
reads the list of shards from pagefind/shards.json and merges them in the browser with
Pagefind's mergeIndex (templates/static/search.js); vocabulary.py explains the one extra page
each shard carries so that the merged results are the whole index's.

The binary reads HTML files from disk, so pages are written to a temporary folder, indexed
there, and the bundle read back as files: public/ is still written only by output.py. Pages opt
in with `data-pagefind-body`; claim and caveat notes carry headings with ids, which Pagefind
turns into sub-results that link to the note.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .diagnostics import SearchUnavailable

if TYPE_CHECKING:  # render.py loads the templating stack: a build with nothing to do only checks the binary
    from .render import RenderedFile

INDEX_FOLDER = "pagefind"
MANIFEST = f"{INDEX_FOLDER}/shards.json"
SITE_SHARD = "site"  # topic, source and claimant pages; always present, and the one the browser loads Pagefind from
# Articles per shard at most: the shard count is the smallest power of two that keeps shards at
# or under this (README, Search, gives the measurements behind it).
ARTICLES_PER_SHARD = 256
ARTICLE_PAGE = re.compile(r"articles/(?P<slug>[^/]+)/index\.html")
REGISTRY_PAGE = re.compile(r"(?:topics|sources|claimants)/[^/]+/index\.html")
# Index chunk size, in Pagefind's units (a word's locations plus one per page). A query loads one
# chunk per word from every shard, so shards get smaller chunks than Pagefind's 20,000, which keeps
# a query's bytes near the whole index's (README, Search). An environment variable of Pagefind's.
INDEX_CHUNK_SIZE = 2500
CHUNK_SIZE_VARIABLE = "PAGEFIND_UNSTABLE_INDEX_CHUNK_SIZE"
# Pagefind's JavaScript and WebAssembly: needed once, from the shard the browser loads first; a
# merged index reads only its entry, metadata, index chunks, fragments and filters.
RUNTIME_FILES = re.compile(r"pagefind\.js|pagefind-worker\.js|wasm\.[^/]+\.pagefind")
# Pagefind also writes its UIs; the search page drives its JavaScript API itself.
UI_FILES = re.compile(r"pagefind-(?:component-|modular-)?ui\.(?:js|css)|pagefind-highlight\.js")


def pagefind_binary() -> Path:
    """The pagefind executable: PAGEFIND_BINARY_PATH, the one bundled with the `pagefind` package, or on PATH."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        found: Path | None = Path(override)
    else:
        try:
            from pagefind.service import get_executable
        except ImportError:
            get_executable = None  # type: ignore[assignment]
        found = get_executable() if get_executable else None
        if found is None:
            on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
            found = Path(on_path) if on_path else None
    if found is None or not found.is_file() or not os.access(found, os.X_OK):
        where = f" (PAGEFIND_BINARY_PATH is '{override}')" if override else ""
        raise SearchUnavailable(
            f"the search index needs the pagefind binary, which was not found{where}; install it with "
            "pip install 'pagefind[extended]', or build without search: digest build --no-search")
    return found


def is_searchable(page_path: str) -> bool:
    """Whether the page at `page_path` (relative to the output folder) is indexed for search."""
    return bool(ARTICLE_PAGE.fullmatch(page_path) or REGISTRY_PAGE.fullmatch(page_path))


def shard_count(article_count: int) -> int:
    """How many article shards a digest of `article_count` articles has: a power of two."""
    count = 1
    while count * ARTICLES_PER_SHARD < article_count:
        count *= 2
    return count


def shard_of(page_path: str, article_count: int) -> str:
    """The shard that indexes the searchable page at `page_path`, in a digest of `article_count` articles.

    An article's shard depends only on its slug and the shard count, so it moves only when the
    count doubles (or halves), and then every article moves with it.
    """
    article = ARTICLE_PAGE.fullmatch(page_path)
    if article:
        count = shard_count(article_count)
        digest = hashlib.sha256(article.group("slug").encode("utf-8")).digest()
        return f"a{count}-{int.from_bytes(digest[:8], 'big') % count}"
    if REGISTRY_PAGE.fullmatch(page_path):
        return SITE_SHARD
    raise ValueError(f"{page_path} is not indexed for search (see is_searchable)")


def shard_ids(article_count: int) -> list[str]:
    """Every shard of a digest of `article_count` articles, SITE_SHARD first (the browser loads Pagefind from it)."""
    count = shard_count(article_count)
    return [SITE_SHARD] + ([f"a{count}-{bucket}" for bucket in range(count)] if article_count else [])


def shard_pages(files: list[RenderedFile]) -> dict[str, list[RenderedFile]]:
    """The searchable pages among `files`, by shard; every shard of the digest has an entry."""
    searchable = [file for file in files if is_searchable(file.path)]
    article_count = sum(1 for file in searchable if ARTICLE_PAGE.fullmatch(file.path))
    shards: dict[str, list[RenderedFile]] = {shard_id: [] for shard_id in shard_ids(article_count)}
    for file in searchable:
        shards[shard_of(file.path, article_count)].append(file)
    return shards


def shards_manifest(shards: list[str]) -> RenderedFile:
    """pagefind/shards.json: the shards the search page merges, the one to load Pagefind from first."""
    from .render import RenderedFile

    ordered = [SITE_SHARD] + sorted((s for s in shards if s != SITE_SHARD), key=_shard_order)
    return RenderedFile(MANIFEST, (json.dumps({"shards": ordered}, indent=1) + "\n").encode("utf-8"))


def index_shard(shard_id: str, pages: list[RenderedFile], language: str) -> list[RenderedFile]:
    """One shard's Pagefind bundle, as files under pagefind/<shard_id>/, built over `pages` alone.

    Besides the pagefind binary and INDEX_CHUNK_SIZE, the bundle depends only on the shard id, the
    language, and each page's path and searchable.without_ignored(data): a page whose other parts
    changed (a topic page's list of articles) needs no re-indexing."""
    from .render import RenderedFile
    from .searchable import without_ignored
    from .vocabulary import VOCABULARY_PAGE, index_words, page_tokens, tokens_page, vocabulary_page

    binary = pagefind_binary()
    language_code = language.split("-")[0].lower()
    indexed = [(page.path, without_ignored(page.data)) for page in pages]
    with tempfile.TemporaryDirectory(prefix=f"digest-search-{shard_id}-") as temp:
        tokens, stems = page_tokens([data for _, data in indexed]), set()
        if tokens:  # a shard without pages (or words) has only its vocabulary page: pagefind needs some text
            stems_site, stems_bundle = Path(temp, "tokens"), Path(temp, "tokens-bundle")
            _write(stems_site / "index.html", tokens_page(tokens, language_code))
            _run_pagefind(binary, stems_site, stems_bundle, language_code)
            stems = index_words(stems_bundle / "index")
        site, bundle = Path(temp, "site"), Path(temp, "bundle")
        for path, data in indexed:
            _write(site.joinpath(*PurePosixPath(path).parts), data)
        _write(site.joinpath(*PurePosixPath(VOCABULARY_PAGE).parts), vocabulary_page(shard_id, stems, language_code))
        _run_pagefind(binary, site, bundle, language_code)
        keep_runtime = shard_id == SITE_SHARD
        return [RenderedFile(f"{INDEX_FOLDER}/{shard_id}/{name}", path.read_bytes())
                for path in sorted(bundle.rglob("*")) if path.is_file()
                for name in [path.relative_to(bundle).as_posix()]
                if not UI_FILES.fullmatch(name) and (keep_runtime or not RUNTIME_FILES.fullmatch(name))
                and name != "wasm.unknown.pagefind"]


def search_index(files: list[RenderedFile], language: str, jobs: int | None = None) -> list[RenderedFile]:
    """The sharded Pagefind index of the searchable pages among `files`: every shard, and the manifest.

    Shards are indexed `jobs` at a time (default: every core), each by its own pagefind process."""
    shards = shard_pages(files)
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        bundles = list(pool.map(lambda item: index_shard(item[0], item[1], language), shards.items()))
    return [file for bundle in bundles for file in bundle] + [shards_manifest(list(shards))]


def _shard_order(shard_id: str) -> tuple[int, int]:
    count, _, bucket = shard_id[1:].partition("-")
    return int(count), int(bucket)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _run_pagefind(binary: Path, site: Path, bundle: Path, language_code: str) -> None:
    command = [str(binary), "--site", str(site), "--output-path", str(bundle), "--silent",
               "--force-language", language_code]
    environment = {CHUNK_SIZE_VARIABLE: str(INDEX_CHUNK_SIZE), **os.environ}  # a variable set by hand wins
    result = subprocess.run(command, capture_output=True, text=True, check=False, env=environment)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise SearchUnavailable(f"pagefind failed (exit {result.returncode})" + (f": {detail[-1]}" if detail else ""))
