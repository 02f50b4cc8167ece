"""Benchmark: digest against Hugo, and against Hugo followed by Pagefind, on one generated corpus, in one run.

    python bench/run.py                                # N = 1,000 and 10,000 (long: see the README)
    python bench/run.py --articles 1000 --verify       # one size; also check incremental == clean output
    python bench/run.py --articles 200 --repeat 1 --no-hugo --configs no-search   # a quick iteration

For each N it generates (or reuses) the seeded corpus in --work, then times, each as a separate process
(start-up included): Hugo's cold build of the plain Markdown, Pagefind over Hugo's output, Hugo's
no-change rebuild; and for each digest configuration (the default build, with search, and --no-search):
the cold build, a no-change rebuild, a one-article text edit, a verdict edit, a one-article annotation
edit and a one-source edit. Rebuilds are repeated and their median is shown. Memory is the peak of the
largest single process and of the whole process tree (see measure.py). It prints the figures, then
issue 10's targets (--no-search against Hugo) and issue 11's (with search against Hugo + Pagefind),
with the ratios measured in this run. Old output is moved aside before each cold build and deleted only
after all timings (the file system is slow for minutes after a mass delete).

Only `digest build` as a subprocess and the files it writes are used, so the pipeline can change freely.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402
import report  # noqa: E402
from edits import corpus_edits, originals  # noqa: E402
from measure import Run, differences, fingerprints, output_of, run_timed  # noqa: E402
from report import HUGO_COLD, HUGO_REBUILD, PAGEFIND, Measurement  # noqa: E402

SEED = 1
CORPUS_FOLDERS = ("site", "content")  # what the generator writes into a digest site; the rest is the builds'


def main() -> None:
    parser = argparse.ArgumentParser(description="digest vs Hugo (and Hugo + Pagefind) on a generated corpus")
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "digest-bench")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each rebuild (median shown)")
    parser.add_argument("--jobs", type=int, default=None, help="digest --jobs (default: every core)")
    parser.add_argument("--configs", type=_configs, default=list(report.CONFIGS),
                        help="digest configurations, comma-separated (default: search,no-search)")
    parser.add_argument("--no-hugo", action="store_true", help="skip the Hugo and Hugo + Pagefind references")
    parser.add_argument("--verify", action="store_true", help="check each incremental output against a clean build")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    hugo = None if args.no_hugo else shutil.which("hugo")
    pagefind = None if args.no_hugo else _pagefind_binary()
    sizes = sorted(set(args.articles))  # smallest first: the scaling row needs N / 10 measured already
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    print(f"digest at {commit or 'unknown commit'}; machine: {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at start; configurations: {', '.join(args.configs)}; rebuilds run "
          f"{args.repeat} time(s)")
    print("references: " + ("skipped (--no-hugo)" if args.no_hugo else
                            f"{_version([hugo, 'version']) if hugo else 'Hugo not installed (apt-get install -y hugo)'}; "
                            f"{_version([str(pagefind), '--version']) if pagefind else 'pagefind not found'}"))
    measured: list[Measurement] = []
    try:
        for n in sizes:
            m = measure(n, args.work / f"n{n}", hugo, pagefind, args.configs, args.repeat, args.jobs, args.verify)
            smaller = next((earlier for earlier in measured if earlier.n * 10 == n), None)
            print()
            print("\n".join(report.measurements_table(m, args.configs, args.repeat)))
            if "no-search" in args.configs:
                print()
                print("\n".join(report.targets_table(
                    f"Issue 10 targets at N = {n:,}: digest --no-search against Hugo's cold build (this run)",
                    report.issue_10_targets(m, smaller))))
            if "search" in args.configs:
                print()
                print("\n".join(report.targets_table(
                    f"Issue 11 targets at N = {n:,}: the default build (with search) against Hugo followed by "
                    "Pagefind, cold (this run)", report.issue_11_targets(m))))
            print(f"load average {os.getloadavg()[0]:.1f} at the end of N = {n:,}", flush=True)
            measured.append(m)
    finally:
        # Deleted only now: the file system is slow for minutes after a mass delete, and the
        # next timings would pay for it.
        for n in sizes:
            shutil.rmtree(args.work / f"n{n}" / "trash", ignore_errors=True)


def measure(n: int, work: Path, hugo: str | None, pagefind: Path | None, configs: list[str], repeat: int,
            jobs: int | None, verify: bool) -> Measurement:
    site, hugo_site = _corpus(work, n)
    trash = work / "trash"
    trash.mkdir(exist_ok=True)
    print(f"N = {n:,}: load average {os.getloadavg()[0]:.1f}; measuring ...", flush=True)
    m = Measurement(n)
    if hugo:
        m.runs.update(_references(hugo_site, hugo, pagefind, repeat, trash))
    for config in configs:
        _measure_digest(m, config, site, work, repeat, jobs, verify, trash)
    return m


def _references(hugo_site: Path, hugo: str, pagefind: Path | None, repeat: int, trash: Path) -> dict[str, list[Run]]:
    """Hugo cold, Pagefind over that output straight after (the usual way to give a Hugo site search), rebuilds."""
    public = hugo_site / "public"
    _move_aside([public, hugo_site / "resources"], trash)
    command = [hugo, "--quiet", "--source", str(hugo_site), "--destination", "public"]
    runs = {HUGO_COLD: [run_timed(command, public, REPO)]}
    if pagefind:
        runs[PAGEFIND] = [run_timed([str(pagefind), "--site", str(public), "--silent"], public, REPO)]
    runs[HUGO_REBUILD] = [run_timed(command, public, REPO) for _ in range(repeat)]
    return runs


def _measure_digest(m: Measurement, config: str, site: Path, work: Path, repeat: int, jobs: int | None,
                    verify: bool, trash: Path) -> None:
    """One configuration from cold, then each edit `repeat` times; the corpus is put back afterwards."""
    command = [sys.executable, "-c", "from builder.cli import main; main()", "build", "--source", str(site)]
    command += ["--no-search"] if config == "no-search" else []
    command += ["--jobs", str(jobs)] if jobs else []
    public = site / "public"
    # Everything the builds made (output, staging, cache, locks, whatever their names): a real cold build.
    _move_aside([path for path in site.iterdir() if path.name not in CORPUS_FOLDERS], trash)
    edits = corpus_edits(site, corpus.STATUSES)
    saved = originals(edits)
    try:
        m.runs[f"{config} cold"] = [run_timed(command, public, REPO)]
        m.runs[f"{config} no-change"] = [run_timed(command, public, REPO) for _ in range(repeat)]
        for edit in edits:
            runs = m.runs[f"{config} {edit.label}"] = []
            for run in range(repeat):
                edit.apply(run)
                runs.append(run_timed(command, public, REPO))
        m.outputs[config] = output_of(public)
        if verify:
            m.differing[config] = _verify(command, public, work / "verify" / config, trash)
    finally:
        for path, data in saved.items():
            path.write_bytes(data)


def _verify(command: list[str], public: Path, folder: Path, trash: Path) -> list[str]:
    """The paths in which `public` differs from a clean build of the same content into `folder`."""
    _move_aside([folder], trash)
    folder.mkdir(parents=True)
    clean = folder / "public"
    result = subprocess.run([*command, "--out", str(clean), "--clean"], capture_output=True, text=True, cwd=REPO)
    if result.returncode != 0:
        raise SystemExit(f"the clean build for --verify failed:\n{result.stderr[-3000:]}")
    return differences(fingerprints(public), fingerprints(clean))


def _corpus(work: Path, n: int) -> tuple[Path, Path]:
    """The corpus for n articles, generated once per generator version."""
    stamp = work / "generated"
    version = f"{n} {SEED} {_hash_file(BENCH / 'corpus.py')}"
    if not stamp.is_file() or stamp.read_text() != version:
        if work.exists():
            shutil.rmtree(work)
        started = time.perf_counter()
        corpus.generate(work, n, SEED)
        stamp.write_text(version)
        print(f"generated N={n} in {time.perf_counter() - started:.0f} s into {work}")
    return work / "digest", work / "hugo"


def _hash_file(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=8).hexdigest()


def _pagefind_binary() -> Path | None:
    """The binary the `pagefind` package installs (as digest's search uses), else one on PATH."""
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind_extended") or shutil.which("pagefind")
        return Path(found) if found else None
    return get_executable()


def _configs(text: str) -> list[str]:
    configs = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [config for config in configs if config not in report.CONFIGS]
    if unknown or not configs:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(report.CONFIGS)} (comma-separated), "
                                         f"not {text!r}")
    return list(dict.fromkeys(configs))


def _move_aside(paths: list[Path], trash: Path) -> None:
    for path in paths:
        if path.exists() or path.is_symlink():
            path.rename(trash / f"{path.name}-{time.time_ns()}")


def _version(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True).stdout.strip().split(" BuildDate")[0]


if __name__ == "__main__":
    main()
