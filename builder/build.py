"""The pipeline: scan -> article tasks -> resolve -> plan -> render -> write, a rebuild doing what the change needs.

    inputs = scan(...)                      hashes of every file; nothing parsed yet
    site = read_site(...)                   the config, sources, topics, templates, the list of articles
    articles = analyse_articles(...)        each new or changed article's task (memoised, on any executor)
    registry = resolve_digest(...)          every id checked, from the summaries: raises ContentErrors
    plan = plan_rebuild(...)                what to render, keep and remove (rebuild.py)
    outputs.render(plan, ...)               only what the plan says, into the staging folder
    swap, then commit the state             the output and the state never disagree

Stages (builder/stages/) know nothing of caching; the engine (builder/engine/) nothing of digests;
this module, tasks.py, index.py, rebuild.py and outputs.py join them.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import shutil
import tempfile
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from . import __version__
from .engine.lock import held
from .engine.parallel import LazyProcessPool, default_jobs
from .engine.scan import hash_files
from .engine.session import Session
from .inputs import Keys, Options, article_keys, input_files, make_keys
from .progress import SILENT, Progress
from .stages.diagnostics import ContentErrors, Diagnostic, Location
from .stages.output import OutputStamp, check_output_folder
from .stages.theme import PACKAGE_DIR

if TYPE_CHECKING:
    from .stages.articles import AnchoredArticle
    from .stages.claimants import ClaimantDirectory
    from .stages.model import SiteConfig, Source, Topic
    from .stages.resolve import Registry

CACHE_DIR = ".digest-cache"
LOCK_FILE = "lock"
# Below this many articles to analyse, starting workers costs more than it saves (measured on 2
# cores: an article costs ~10 ms). A given executor is always used.
MIN_PARALLEL = 48


@dataclass(frozen=True)
class Summary:
    pages: int
    articles: int
    claims: int
    caveats: int
    warnings: tuple[Diagnostic, ...]
    changed_paths: tuple[str, ...] = ()  # output files added, altered or removed, relative to `out`
    written: int = 0  # output files whose bytes changed
    rendered: int = 0  # pages rendered (the others were kept)

    @property
    def pages_changed(self) -> int:
        return sum(1 for path in self.changed_paths if path.endswith(".html"))


def check(root: Path, jobs: int | None = None, progress: Progress = SILENT) -> tuple[Diagnostic, ...]:
    """Validate the site in `root` without writing it (but for the cache's facts): its warnings, or ContentErrors."""
    from .analysis import analyse_articles, read_site, resolve_digest
    from .rebuild import plan_rebuild

    options = Options(include_drafts=True)
    with _cache_folder(root, use_cache=True) as folder, held(folder / LOCK_FILE, progress.waiting), _collector_paused():
        # A state of its own, never committed: checking changes nothing a build relies on.
        with Session.open(folder, "check.sqlite", code_version(), fresh=True) as session:
            hashes = hash_files(input_files(root), session.store)
            keys = make_keys(hashes, options.include_drafts, options.search)
            site = read_site(root, keys, session)
            with _pool(jobs, None, len(site.slugs)) as pool:
                articles = analyse_articles(root, site, article_keys(hashes, keys), session, pool, None, SILENT, options)
            digest = resolve_digest(site, articles, session, options)
            # The plan of a build into nowhere: what pages there would be, for links in content to lead to.
            plan = plan_rebuild(site, digest, articles, session, hashes, folder / "no-output", options)
            return tuple(sorted(digest.warnings + plan.warnings))


@dataclass(frozen=True)
class LoadedDigest:
    """A whole digest in memory, for tools and tests: builds never hold one."""

    registry: "Registry"
    articles: tuple["AnchoredArticle", ...]  # published, newest first, with their text
    warnings: tuple[Diagnostic, ...]
    claimants: "ClaimantDirectory"  # every claimant with a page, and whom each name written stands for

    @property
    def config(self) -> "SiteConfig":
        return self.registry.config

    @property
    def sources(self) -> tuple["Source", ...]:
        return tuple(self.registry.sources.values())

    @property
    def topics(self) -> tuple["Topic", ...]:
        return tuple(self.registry.topics.values())


def load_digest(root: Path, include_drafts: bool = False) -> LoadedDigest:
    """Read, anchor and check every article of the site in `root`; ContentErrors if anything is wrong."""
    from .analysis import analyse_articles, read_site, resolve_digest
    from .stages.claimants import make_directory
    from .stages.pages import article_sort

    options = Options(include_drafts=include_drafts)
    with _cache_folder(root, use_cache=False) as folder, Session.open(folder, "load.sqlite", code_version()) as session:
        hashes = hash_files(input_files(root), session.store)
        keys = make_keys(hashes, options.include_drafts, options.search)
        site = read_site(root, keys, session)
        articles = analyse_articles(root, site, article_keys(hashes, keys), session, None, None, SILENT, options)
        digest = resolve_digest(site, articles, session, options)
        results = session.memo("task")
        loaded = [results.get(articles.keys[a.slug]).value.load().with_body() for a in articles.analysed.values() if a.published]
        everything = [results.get(articles.keys[a.slug]).value.load().article.article for a in articles.analysed.values()]
        directory = make_directory(site.registries.claimants, everything, (a.slug for a in loaded))
        return LoadedDigest(digest.registry, tuple(sorted(loaded, key=article_sort)), digest.warnings, directory)


def build(root: Path, out: Path, include_drafts: bool = False, strict: bool = False, progress: Progress = SILENT,
          search: bool = True, jobs: int | None = None, clean: bool = False, use_cache: bool = True,
          executor: Executor | None = None) -> Summary:
    """Build the site in `root` into `out`; raise ContentErrors (writing nothing) if content is wrong.

    Only what changed since the last build into `out` is done again; `clean` ignores the cache,
    `use_cache=False` neither reads nor keeps it. `jobs` processes analyse the articles (default:
    every core), or `executor` if given (any concurrent.futures.Executor, a Dask cluster's included).
    With `search`, a Pagefind index is built too (SearchUnavailable if the binary is missing).
    A second build of the same site waits for the first (progress.waiting says so).
    """
    check_output_folder(out, root)
    options = Options(include_drafts, strict, search)
    with _cache_folder(root, use_cache) as folder, held(folder / LOCK_FILE, progress.waiting), _collector_paused():
        with Session.open(folder, _state_file(out), code_version(), fresh=clean or not use_cache) as session:
            return _build(root, out.resolve(), options, session, progress, jobs, executor)


def _build(root: Path, out: Path, options: Options, session: Session, progress: Progress, jobs: int | None,
           executor: Executor | None) -> Summary:
    progress.stage("reading")
    hashes = hash_files(input_files(root), session.store)  # stat, and read only what changed
    keys = make_keys(hashes, options.include_drafts, options.search)
    last = _last_build(session, keys, out)
    if last is not None:  # every input as the last build found it, and its output intact
        if options.strict and last.warnings:
            raise ContentErrors(last.warnings)
        return last
    from .analysis import analyse_articles, read_site, resolve_digest  # the parsers: only when there is work
    if options.search:
        from .stages.search import pagefind_binary
        pagefind_binary()  # a missing binary fails before anything is analysed (SearchUnavailable)
    from .outputs import render_outputs
    from .rebuild import plan_rebuild
    from .stages.output import Staging

    site = read_site(root, keys, session)
    staging = Staging(out, session.state.path.with_name(session.state.path.name + ".staging"))
    try:
        with _pool(jobs, executor, len(site.slugs)) as pool:
            articles = analyse_articles(root, site, article_keys(hashes, keys), session, pool, staging, progress, options)
            progress.stage("resolving")
            digest = resolve_digest(site, articles, session, options)  # ContentErrors: nothing more is done
            plan = plan_rebuild(site, digest, articles, session, hashes, out, options)
            if options.strict and plan.warnings:
                raise ContentErrors(plan.warnings)
            progress.stage("rendering", total=len(plan.render))
            recorded = render_outputs(root, plan, site, digest, articles, session, staging, progress, options,
                                      pool if isinstance(pool, LazyProcessPool) else None, jobs)
        written = len(staging.written)
        changed = staging.swap()
    except BaseException:
        staging.discard()
        raise
    summary = Summary(plan.pages, digest.articles, digest.claims, digest.caveats, tuple(sorted(digest.warnings + plan.warnings)),
                      tuple(changed), written, plan.pages_rendered)
    # A new state knew nothing of the output it replaced, so `changed` may miss files that went: the
    # next build then makes staging whole (mirror) rather than catching up with `changed`.
    _record_build(session, keys, summary, out, sorted(set(changed) | set(recorded)), changed,
                  "" if session.state.is_new else staging.identity)
    session.commit()  # only now: the state describes the output in place
    staging.settle()
    return summary


def _last_build(session: Session, keys: Keys, out: Path) -> Summary | None:
    """The last build's summary if every input is as it found them and every file it wrote is intact."""
    stored = session.graph.fingerprints(["inputs", "summary"])
    if stored.get("inputs") != keys.inputs or "summary" not in stored:
        return None
    folder = str(out) + "/"  # joined by hand: this runs for every file of the site
    for node, stamp in session.graph.nodes("out:").items():
        if str(OutputStamp.of(folder + node[4:])) != stamp:
            return None
    return replace(_summary_from_json(stored["summary"]), changed_paths=(), written=0, rendered=0)


def _record_build(session: Session, keys: Keys, summary: Summary, out: Path, made: list[str], changed: list[str],
                  staging: str) -> None:
    """Stamp the files this build made (as they are now in the output) and note what it did."""
    folder = str(out) + "/"
    for path in made:
        stamp = OutputStamp.of(folder + path)
        if stamp is not None:
            session.graph.restamp(f"out:{path}", str(stamp))
    session.graph.update({"inputs": keys.inputs, "summary": _summary_json(summary),
                          "last-changed": json.dumps(changed), "staging": staging})


def _summary_json(summary: Summary) -> str:
    return json.dumps([summary.pages, summary.articles, summary.claims, summary.caveats,
                       [[*d.at, d.message, d.severity] for d in summary.warnings]])


def _summary_from_json(text: str) -> Summary:
    pages, articles, claims, caveats, warnings = json.loads(text)
    return Summary(pages, articles, claims, caveats,
                   tuple(Diagnostic(Location(path, line, column), message, severity)
                         for path, line, column, message, severity in warnings))


@contextlib.contextmanager
def _cache_folder(root: Path, use_cache: bool) -> Iterator[Path]:
    """The site's cache folder, or a temporary one that is gone afterwards."""
    if use_cache:
        folder = root / CACHE_DIR
        folder.mkdir(exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# digest's build cache: safe to delete\n*\n", encoding="utf-8")
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix="digest-cache-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _state_file(out: Path) -> str:
    """One build state per output folder (a preview server's and public/ are built apart)."""
    return f"state-{hashlib.blake2b(str(out.resolve()).encode(), digest_size=8).hexdigest()}.sqlite"


@contextlib.contextmanager
def _pool(jobs: int | None, executor: Executor | None, articles: int) -> Iterator[Executor | None]:
    """The executor the article tasks run on: the one given, a local process pool, or none (this process)."""
    if executor is not None:
        yield executor
        return
    workers = jobs or default_jobs()
    if workers <= 1 or articles < MIN_PARALLEL:
        yield None
        return
    pool = LazyProcessPool(workers)
    try:
        yield pool
    finally:
        pool.shutdown()


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while building: a build holds many objects that live as long as
    it does, and each full collection walks them all. Memory is still freed by reference counting;
    the few cycles made meanwhile are collected once it is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@functools.cache
def code_version() -> str:
    """A hash of the builder's own source: what it pickled another version may not load."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=20)
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()
