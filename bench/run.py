"""Benchmark: digest against Hugo on the same generated corpus, measured in the same run.

    python bench/run.py                      # N = 1,000 and 10,000 (several minutes)
    python bench/run.py --articles 1000      # one size
    python bench/run.py --articles 1000 --verify   # also check incremental == clean output

For each N it generates (or reuses) the seeded corpus in --work, then times, as separate processes
(start-up included): Hugo's cold build and no-change rebuild of the plain Markdown, and digest's
cold build, no-change rebuild, one-article text edit, one-article annotation edit and one-source
edit; it samples the peak resident memory of each process tree and counts the files each run
wrote (new inode or mtime). Rebuilds are repeated and their median is shown. Old output is moved
aside before a cold build and deleted only after all timings (a mass delete slows the disk down).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402

SEED = 1


@dataclass
class Run:
    seconds: float
    peak_mib: float
    written: int  # files with a new inode or mtime


def main() -> None:
    parser = argparse.ArgumentParser(description="digest vs Hugo on a generated corpus")
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--work", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "digest-bench")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each rebuild (median shown)")
    parser.add_argument("--jobs", type=int, default=None, help="digest --jobs (default: every core)")
    parser.add_argument("--verify", action="store_true", help="check the incremental output against a clean build")
    args = parser.parse_args()
    hugo = shutil.which("hugo")
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"digest at {commit or 'unknown commit'}; machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start; "
          f"{_version([hugo, 'version']) if hugo else 'Hugo not installed (apt-get install -y hugo): no Hugo column'}")
    try:
        for n in args.articles:
            report(n, measure(n, args.work / f"n{n}", hugo, args.repeat, args.jobs, args.verify))
    finally:
        # Deleted only now: the file system is slow for minutes after a mass delete, and the
        # next size's timings would pay for it.
        for n in args.articles:
            shutil.rmtree(args.work / f"n{n}" / "trash", ignore_errors=True)


def measure(n: int, work: Path, hugo: str | None, repeat: int, jobs: int | None, verify: bool) -> dict[str, list[Run]]:
    site, hugo_site = _corpus(work, n)
    trash = work / "trash"
    trash.mkdir(exist_ok=True)
    results: dict[str, list[Run]] = {}
    originals: dict[Path, bytes] = {}  # the edited files, put back afterwards: the corpus stays as generated
    try:
        if hugo:
            _move_aside([hugo_site / "public", hugo_site / "resources"], trash)
            hugo_cmd = [hugo, "--quiet", "--source", str(hugo_site), "--destination", "public"]
            results["hugo cold"] = [_time(hugo_cmd, hugo_site / "public")]
            results["hugo rebuild"] = [_time(hugo_cmd, hugo_site / "public") for _ in range(repeat)]
        # --no-search: Hugo builds no search index either, so both do the same kind of work.
        digest_cmd = [sys.executable, "-c", "from builder.cli import main; main()", "build", "--source", str(site),
                      "--no-search"]
        digest_cmd += ["--jobs", str(jobs)] if jobs else []
        _move_aside([site / "public", site / ".public.staging", site / ".digest-cache"], trash)
        results["digest cold"] = [_time(digest_cmd, site / "public")]
        results["digest no-change"] = [_time(digest_cmd, site / "public") for _ in range(repeat)]
        article = sorted((site / "content" / "articles").glob("*.md"))[n // 2]
        annotations = article.with_suffix(".yaml")
        sources = site / "content" / "sources.yaml"
        originals.update({path: path.read_bytes() for path in (article, annotations, sources)})
        edits = {
            "digest article text edit": lambda i: _append(article, f"\nAn editor's addition, revision {time.time_ns()}.\n"),
            "digest annotation edit": lambda i: _replace_first(annotations, "claim: \"", f"claim: \"Revised {i}: "),
            "digest source edit": lambda i: _replace_first(sources, "  name: ", f"  name: Renamed {i} "),
        }
        for label, edit in edits.items():
            runs = []
            for i in range(repeat):
                edit(i)
                runs.append(_time(digest_cmd, site / "public"))
            results[label] = runs
        if verify:
            clean = work / "verify-clean"
            _move_aside([clean], trash)
            subprocess.run([*digest_cmd, "--out", str(clean), "--clean"], check=True, capture_output=True, cwd=REPO)
            same = _tree(site / "public") == _tree(clean)
            print(f"N={n}: incremental output {'identical to' if same else 'DIFFERS from'} a clean build")
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
    return results


def report(n: int, results: dict[str, list[Run]]) -> None:
    def median(label: str, attribute: str) -> float | None:
        runs = results.get(label)
        return statistics.median(getattr(r, attribute) for r in runs) if runs else None

    hugo_cold, hugo_rebuild = median("hugo cold", "seconds"), median("hugo rebuild", "seconds")
    hugo_rss = max((r.peak_mib for label in ("hugo cold", "hugo rebuild") for r in results.get(label, [])), default=None)
    digest_rss = max(r.peak_mib for label, runs in results.items() if label.startswith("digest") for r in runs)
    rows = [
        ("cold build", hugo_cold, median("digest cold", "seconds"), hugo_cold, "<= 1.5 x Hugo cold"),
        ("no-change rebuild", hugo_rebuild, median("digest no-change", "seconds"), hugo_rebuild, "<= 0.05 x Hugo rebuild"),
        ("one-article edit: text", None, median("digest article text edit", "seconds"), hugo_cold, "<= 0.1 x Hugo cold"),
        ("one-article edit: annotation", None, median("digest annotation edit", "seconds"), hugo_cold, "<= 0.1 x Hugo cold"),
        ("one-source edit", None, median("digest source edit", "seconds"), hugo_cold, "(no target)"),
    ]
    print(f"\nN = {n:,} articles (times: median of the runs, in seconds; ratio = digest / Hugo reference)")
    print(f"{'':30} {'Hugo':>9} {'digest':>9} {'ratio':>8}  {'target':<24} {'met':<4} written (digest runs)")
    for name, hugo_value, digest_value, reference, target in rows:
        ratio = digest_value / reference if reference and digest_value is not None else None
        limit = float(target.split()[1]) if target.startswith("<=") else None
        met = "" if ratio is None or limit is None else ("yes" if ratio <= limit else "no")
        label = {"cold build": "digest cold", "no-change rebuild": "digest no-change",
                 "one-article edit: text": "digest article text edit", "one-article edit: annotation": "digest annotation edit",
                 "one-source edit": "digest source edit"}[name]
        written = "/".join(str(r.written) for r in results.get(label, []))
        print(f"{name:30} {_fmt(hugo_value):>9} {_fmt(digest_value):>9} {_fmt(ratio, 'x'):>8}  {target:<24} {met:<4} {written}")
    ratio = digest_rss / hugo_rss if hugo_rss else None
    met = "" if ratio is None else ("yes" if ratio <= 0.5 else "no")
    print(f"{'peak RSS (MiB, process tree)':30} {_fmt(hugo_rss, '', 0):>9} {_fmt(digest_rss, '', 0):>9} {_fmt(ratio, 'x'):>8}  "
          f"{'<= 0.5 x Hugo':<24} {met:<4}")
    hugo_written = results.get("hugo cold", [Run(0, 0, 0)])[0].written
    print(f"{'files written, cold build':30} {hugo_written if 'hugo cold' in results else '-':>9} "
          f"{results['digest cold'][0].written:>9}")
    print(f"{'files written, rebuilds':30} {'/'.join(str(r.written) for r in results.get('hugo rebuild', [])) or '-':>9} "
          f"{'/'.join(str(r.written) for r in results['digest no-change']):>9}")


def _fmt(value: float | None, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{3 if unit == 'x' and value < 0.1 else digits}f}{'×' if unit == 'x' else ''}"


def _corpus(work: Path, n: int) -> tuple[Path, Path]:
    """The corpus for n articles, generated once per generator version."""
    stamp = work / "generated"
    version = f"{n} {SEED} {hash_file(BENCH / 'corpus.py')}"
    if not stamp.is_file() or stamp.read_text() != version:
        if work.exists():
            shutil.rmtree(work)
        started = time.perf_counter()
        corpus.generate(work, n, SEED)
        stamp.write_text(version)
        print(f"generated N={n} in {time.perf_counter() - started:.0f} s into {work}")
    return work / "digest", work / "hugo"


def hash_file(path: Path) -> str:
    import hashlib
    return hashlib.blake2b(path.read_bytes(), digest_size=8).hexdigest()


def _time(command: list[str], out: Path) -> Run:
    before = _stamps(out)
    peak = [0.0]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = threading.Thread(target=_sample_rss, args=(process, peak), daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{stderr.decode()[-3000:]}")
    after = _stamps(out)
    return Run(seconds, peak[0], sum(1 for path, stamp in after.items() if before.get(path) != stamp))


def _sample_rss(process: subprocess.Popen, peak: list[float]) -> None:
    """Peak of the summed resident memory of the process and its descendants, sampled every 10 ms."""
    while process.poll() is None:
        total = sum(_rss_kib(pid) for pid in _tree_pids(process.pid))
        peak[0] = max(peak[0], total / 1024)
        time.sleep(0.01)


def _tree_pids(root: int) -> list[int]:
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as stream:
                    queue.extend(int(child) for child in stream.read().split())
        except OSError:
            pass
    return pids


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as stream:
            for line in stream:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _stamps(folder: Path) -> dict[str, tuple[int, int]]:
    stamps = {}
    for directory, _, names in os.walk(folder):
        for name in names:
            stat = os.stat(os.path.join(directory, name))
            stamps[os.path.join(directory, name)] = (stat.st_ino, stat.st_mtime_ns)
    return stamps


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _move_aside(paths: list[Path], trash: Path) -> None:
    for path in paths:
        if path.exists():
            path.rename(trash / f"{path.name}-{time.time_ns()}")


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(text)


def _replace_first(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _version(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True).stdout.strip().split(" BuildDate")[0]


if __name__ == "__main__":
    main()
