"""Measure the sharded search index against one whole Pagefind index over the same built digest.

    python bench/corpus.py /tmp/c1k --articles 1000 && digest build --source /tmp/c1k/digest --no-search -q
    python bench/search_shards.py /tmp/c1k/digest/public [--per-shard 256 ...] [--rtt-ms 40]

Indexes the searchable pages of an already built output (a build with --no-search) twice: as
`digest build` does (builder.stages.search.search_index) and with one pagefind run over every page,
then serves each beside the site and runs queries in Chromium (/usr/bin/chromium). Prints, per
shard size: each pagefind process's time and peak memory (its maximum resident set, from GNU time),
the bundle's size, and per query the requests, bytes and milliseconds the browser spends, first
query (loading the index) and later ones. Both indexes are written under OUT/search-bench/.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from builder.stages import search  # noqa: E402
from builder.stages.render import RenderedFile  # noqa: E402

QUERIES = ["tariffs", "Okafor", '"grain reserves"', "copper mine officials"]


@dataclass
class Run:
    label: str  # shard id and "tokens" or "index"
    pages: int
    seconds: float
    cpu_seconds: float  # user + system: steadier than wall time on a busy machine
    peak_kib: int


RUNS: list[Run] = []


def _measured_pagefind(binary: Path, site: Path, bundle: Path, language_code: str, whole: bool = False) -> None:
    """search._run_pagefind, timed, with the process's own peak memory (GNU time's maximum resident set);
    with `whole`, as before shards (Pagefind's own chunk size)."""
    command = [str(binary), "--site", str(site), "--output-path", str(bundle), "--silent", "--force-language", language_code]
    # Through GNU time: Linux keeps a process's peak across exec, so pagefind forked straight from
    # this (large) Python process would report this process's memory as its own.
    peak_file = site.parent / f"{site.name}.peak"
    start = time.perf_counter()
    environment = dict(os.environ) if whole else {search.CHUNK_SIZE_VARIABLE: str(search.INDEX_CHUNK_SIZE), **os.environ}
    process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", str(peak_file), *command],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"pagefind failed: {' '.join(command)}")
    pages = sum(1 for _ in site.rglob("*.html"))
    shard = site.parent.name.removeprefix("digest-search-").rsplit("-", 1)[0]
    RUNS.append(Run(f"{shard} {'tokens' if site.name == 'tokens' else 'index'}",
                    pages, time.perf_counter() - start, usage.ru_utime + usage.ru_stime,
                    int(peak_file.read_text().split()[-1])))


@contextlib.contextmanager
def served(root: Path) -> Iterator[str]:
    """`root` over HTTP on 127.0.0.1, like the browser tests serve the site."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _median(values: Iterator[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def searchable_pages(public: Path) -> list[RenderedFile]:
    return [RenderedFile(path.relative_to(public).as_posix(), path.read_bytes())
            for path in sorted(public.rglob("index.html")) if search.is_searchable(path.relative_to(public).as_posix())]


def write(files: list[RenderedFile], target: Path) -> int:
    size = 0
    for file in files:
        path = target / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(file.data)
        size += len(file.data)
    return size


def index_whole(pages: list[RenderedFile], target: Path) -> tuple[Run, int]:
    """One pagefind run over every searchable page, as before shards; and its bundle's bytes."""
    site = target.parent / "whole-pages"
    write(pages, site)
    RUNS.clear()
    _measured_pagefind(search.pagefind_binary(), site, target, "en", whole=True)
    shutil.rmtree(site)
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    return RUNS[0], size


def browser_costs(origin: str, search_page: str, whole: str | None, rtt_ms: int) -> list[dict]:
    """Per query: requests, bytes and ms until the first 10 results' data is loaded (the page shows 10)."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        page = browser.new_page()
        if rtt_ms:
            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": rtt_ms,
                                                          "downloadThroughput": -1, "uploadThroughput": -1})
        seen: list[tuple[str, int]] = []
        page.on("requestfinished", lambda r: ("/pagefind/" in r.url or "/_whole/" in r.url)
                and seen.append((r.url, r.sizes()["responseBodySize"])))
        page.goto(origin + search_page, wait_until="networkidle")
        seen.clear()
        for query in QUERIES:
            before = len(seen)
            ms = page.evaluate("""async ([query, whole, site]) => {
                const start = performance.now();
                let results;
                if (whole) {
                    window.wholeIndex = window.wholeIndex ||
                        (await import(whole + "pagefind.js")).createInstance({basePath: whole, baseUrl: site});
                    results = (await window.wholeIndex.search(query)).results;
                } else {
                    results = await (await import(site + "static/search.js")).find(query);
                }
                await Promise.all(results.slice(0, 10).map(r => r.data()));
                window.lastCount = results.length;
                return performance.now() - start;
            }""", [query, whole, "/" + search_page.rsplit("search/", 1)[0]])
            page.wait_for_timeout(200)
            batch = seen[before:]
            rows.append({"query": query, "results": page.evaluate("window.lastCount"), "ms": round(ms),
                         "requests": len(batch), "kib": round(sum(size for _, size in batch) / 1024)})
        browser.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("public", type=Path, help="a digest output folder built with --no-search")
    parser.add_argument("--per-shard", type=int, nargs="*", default=[search.ARTICLES_PER_SHARD])
    parser.add_argument("--no-whole", action="store_true", help="skip the whole index")
    parser.add_argument("--rtt-ms", type=int, default=0, help="emulated network round trip in the browser")
    parser.add_argument("--chunk-size", type=int, help=f"the shards' index chunk size (default {search.INDEX_CHUNK_SIZE})")
    args = parser.parse_args()
    public = args.public.resolve()
    bench = public / "search-bench"
    shutil.rmtree(bench, ignore_errors=True)
    pages = searchable_pages(public)
    articles = sum(1 for p in pages if p.path.startswith("articles/"))
    print(f"{public}: {articles} articles, {len(pages) - articles} topic and source pages")
    search._run_pagefind = _measured_pagefind  # type: ignore[assignment]
    if not args.no_whole:
        run, size = index_whole(pages, bench / "_whole")
        print(f"\nwhole: one pagefind run over {len(pages)} pages: {run.seconds:.1f} s ({run.cpu_seconds:.1f} s CPU), "
              f"peak {run.peak_kib / 1024:.0f} MiB, bundle {size / 2**20:.1f} MiB")
    if args.chunk_size:
        search.INDEX_CHUNK_SIZE = args.chunk_size
    for per_shard in args.per_shard:
        search.ARTICLES_PER_SHARD = per_shard
        RUNS.clear()
        start = time.perf_counter()
        files = search.search_index(pages, "en", jobs=1)  # one process at a time: each one's own cost
        total = time.perf_counter() - start
        target = bench / f"shards-{per_shard}"
        size = write(files, target)
        indexing = [r for r in RUNS if r.label.endswith("index")]
        tokens = [r for r in RUNS if r.label.endswith("tokens")]
        largest = max(indexing, key=lambda r: r.pages)
        shards = json.loads((target / "pagefind" / "shards.json").read_text())["shards"]
        cpu = sum(r.cpu_seconds for r in RUNS)
        print(f"\n{per_shard} articles per shard at most: {len(shards)} shards, {total:.1f} s in all "
              f"({cpu:.1f} s CPU; one process at a time), bundle {size / 2**20:.1f} MiB")
        largest_tokens = max(tokens, key=lambda r: r.pages)
        print(f"  largest shard ({largest.pages} pages): index {largest.seconds:.2f} s ({largest.cpu_seconds:.2f} s CPU), "
              f"peak {largest.peak_kib / 1024:.0f} MiB; its tokens run {largest_tokens.cpu_seconds:.2f} s CPU")
        print(f"  per article shard: index {_median(r.cpu_seconds for r in indexing if r.label[0] == 'a'):.2f} s CPU "
              f"(median; {min(r.cpu_seconds for r in indexing):.2f}-{max(r.cpu_seconds for r in indexing):.2f}), "
              f"tokens {_median(r.cpu_seconds for r in tokens):.2f} s CPU, "
              f"peak {max(r.peak_kib for r in RUNS) / 1024:.0f} MiB at most")
    for label, root, whole in ([("whole", bench / "_whole", True)] if not args.no_whole else []) + [
            (f"shards-{n}", bench / f"shards-{n}", False) for n in args.per_shard]:
        # Serve the search page and static files of the site beside the index under test.
        site = bench / f"served-{label}"
        (site / "digest").mkdir(parents=True)
        for name in ("static", "search"):
            if (public / name).exists():
                shutil.copytree(public / name, site / "digest" / name)
        if not (site / "digest" / "search").exists():  # a --no-search build has no search page: a minimal one
            (site / "digest" / "search").mkdir()
            (site / "digest" / "search" / "index.html").write_text(SEARCH_PAGE)
        os.symlink(root / "pagefind" if not whole else root, site / "digest" / ("_whole" if whole else "pagefind"))
        with served(site) as origin:
            rows = browser_costs(origin, "digest/search/", "/digest/_whole/" if whole else None, args.rtt_ms)
        print(f"\nbrowser, {label}{f' (round trip {args.rtt_ms} ms)' if args.rtt_ms else ''}:")
        for row in rows:
            print(f"  {row['query']!r:28} {row['results']:5} results  {row['requests']:4} requests  "
                  f"{row['kib']:6} KiB  {row['ms']:5} ms")


SEARCH_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Search</title>
<script type="module" src="../static/search.js"></script></head><body><div data-search data-manifest="../pagefind/shards.json">
<form><input name="q"></form><p role="status"></p><ol class="search-results"></ol><button class="search-more" hidden></button>
</div></body></html>
"""

if __name__ == "__main__":
    main()
