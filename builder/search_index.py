"""The sharded search index, kept up to date shard by shard (stages/search.py makes a shard).

A shard is indexed again only when what Pagefind would read of its pages changed: each searchable
page has a fingerprint of its text without its ignored parts ('search-page:<path>'), taken when the
build writes the page, and each shard one of its pages' fingerprints ('search-shard:<id>'). An edit
of one article re-indexes the one shard it is in; an edit that changes no searchable text (a topic
page's list of articles) re-indexes none. The shards are indexed on every core, each by its own
pagefind process.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .engine.graph import Graph
from .engine.store import content_hash
from .stages.output import OutputStamp, Staging
from .stages.render import RenderedFile
from .stages.search import (ARTICLE_PAGE, INDEX_CHUNK_SIZE, INDEX_FOLDER, MANIFEST, index_shard, is_searchable,
                            pagefind_binary, shard_ids, shard_of, shards_manifest)
from .stages.searchable import without_ignored

PAGE = "search-page:"  # + page path -> hash of its searchable text
SHARD = "search-shard:"  # + shard id -> hash of its pages' paths and texts, and of how it is indexed
SHARDS = "search-shards"  # the shard ids: what the manifest lists


def update_search_index(graph: Graph, staging: Staging, language: str, jobs: int | None = None) -> list[str]:
    """Index again the shards whose pages changed, remove those the site no longer has, write the
    manifest if the shards changed; the paths written. Reads the pages this build wrote from
    staging, the others from the output."""
    pages = _page_prints(graph, staging)
    articles = sum(1 for path in pages if ARTICLE_PAGE.fullmatch(path))
    members: dict[str, list[str]] = {shard: [] for shard in shard_ids(articles)}
    for path in sorted(pages):
        members[shard_of(path, articles)].append(path)
    indexed_with = _indexed_with(language)
    prints = {f"{SHARD}{shard}": content_hash(indexed_with, *(f"{p}={pages[p]}" for p in paths))
              for shard, paths in members.items()}
    changed = graph.replace_under(SHARD, prints)
    todo = sorted(shard for shard in members if f"{SHARD}{shard}" in changed or _damaged(graph, staging, shard))
    for name in changed - set(prints):  # shards the site no longer has
        _drop_files(graph, staging, name.removeprefix(SHARD), keep=set())

    def index(shard: str) -> list[RenderedFile]:
        return index_shard(shard, [RenderedFile(p, _read(staging, p)) for p in members[shard]], language)

    written = []
    with ThreadPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        for shard, bundle in zip(todo, pool.map(index, todo)):
            for file in bundle:
                staging.put(file.path, file.data)
                graph.record(f"out:{file.path}", [f"{SHARD}{shard}"], f"search {shard}")
            _drop_files(graph, staging, shard, keep={file.path for file in bundle})
            written += [file.path for file in bundle]
    if graph.update({SHARDS: " ".join(members)}) or _damaged(graph, staging, MANIFEST):
        manifest = shards_manifest(list(members))
        staging.put(manifest.path, manifest.data)
        graph.record(f"out:{manifest.path}", [SHARDS], "search manifest")
        written.append(manifest.path)
    return written


def forget_search_index(graph: Graph, staging: Staging) -> None:
    """A build without search: its files go, and the next build with search indexes every shard."""
    for node in graph.nodes(f"out:{INDEX_FOLDER}/"):
        staging.drop(node[4:])
    graph.forget(graph.nodes(f"out:{INDEX_FOLDER}/"))
    graph.remove([*graph.fingerprints_under(PAGE), *graph.fingerprints_under(SHARD), SHARDS])


def _page_prints(graph: Graph, staging: Staging) -> dict[str, str]:
    """Path -> fingerprint of every searchable page the site has: taken anew for the pages this
    build wrote, and for those no build has taken (search was off)."""
    site = {node[4:] for node in graph.nodes("out:") if is_searchable(node[4:])}
    stored = {name.removeprefix(PAGE): fp for name, fp in graph.fingerprints_under(PAGE).items()}
    fresh = {path: content_hash(without_ignored(_read(staging, path)).decode("utf-8", "replace"))
             for path in sorted(site) if path in staging.written or path not in stored}
    graph.update({f"{PAGE}{path}": fp for path, fp in fresh.items()})
    graph.remove(f"{PAGE}{path}" for path in set(stored) - site)
    return {path: fresh.get(path) or stored[path] for path in site}


def _indexed_with(language: str) -> str:
    """What besides its pages a shard's bundle depends on: the language, the chunk size, the binary."""
    binary = pagefind_binary()
    stamp = OutputStamp.of(binary)
    return f"{language} {INDEX_CHUNK_SIZE} {binary} {stamp.size if stamp else 0}"


def _read(staging: Staging, path: str) -> bytes:
    """A page as this build leaves it: from staging if it wrote it, else from the output."""
    folder = staging.folder if path in staging.written else staging.out
    return Path(folder, path).read_bytes()


def _damaged(graph: Graph, staging: Staging, shard: str) -> bool:
    """Whether a file of the shard (or the manifest) is missing from the output, or not as the build left it."""
    files = graph.nodes(f"out:{MANIFEST}" if shard == MANIFEST else f"out:{INDEX_FOLDER}/{shard}/")
    folder = str(staging.out) + "/"
    return not files or any(str(OutputStamp.of(folder + node[4:])) != stamp for node, stamp in files.items())


def _drop_files(graph: Graph, staging: Staging, shard: str, keep: set[str]) -> None:
    gone = [node for node in graph.nodes(f"out:{INDEX_FOLDER}/{shard}/") if node[4:] not in keep]
    for node in gone:
        staging.drop(node[4:])
    graph.forget(gone)
