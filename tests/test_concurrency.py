"""Builds that do not collide: a second build of a site waits for the first, and the output is never stale."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder.build import CACHE_DIR, LOCK_FILE, build
from conftest import tree

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import corpus  # noqa: E402  (the benchmark's seeded corpus generator)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    corpus.generate(tmp_path / "corpus", 60, seed=5)
    return tmp_path / "corpus" / "digest"


def start_build(site: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from builder.cli import main; main()", "build", "--source", str(site),
                             "--out", str(out), "--no-search"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_until_locked(site: Path, process: subprocess.Popen) -> None:
    """Until the build has taken the site's lock (it writes its process id into the lock file)."""
    lock = site / CACHE_DIR / LOCK_FILE
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lock.is_file() and f"process {process.pid}" in lock.read_text():
            return
        time.sleep(0.005)
    raise AssertionError("the first build never took the lock")


def edit(site: Path, revision: int) -> None:
    article = sorted((site / "content" / "articles").glob("*.md"))[7]
    article.write_text(article.read_text(encoding="utf-8") + f"\nRevision {revision} of this article.\n", encoding="utf-8")


def test_simultaneous_builds_after_edits_leave_the_output_of_the_last_edit(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    build(site, out, search=False)
    for revision in range(3):
        edit(site, revision * 2)
        first = start_build(site, out)
        wait_until_locked(site, first)
        edit(site, revision * 2 + 1)  # while the first build runs
        second = start_build(site, out)
        first_stderr, second_stderr = first.communicate()[1], second.communicate()[1]
        assert first.returncode == second.returncode == 0, first_stderr + second_stderr
        assert "waiting for another build of this site to finish (process" in second_stderr
        assert tree(out) == _clean(site, tmp_path / f"clean-{revision}")
    # Nothing is left for an ordinary build to do, and what it finds is right.
    again = build(site, out, search=False)
    assert (again.rendered, again.written) == (0, 0)
    assert tree(out) == _clean(site, tmp_path / "clean-last")


def test_a_check_waits_for_a_build_too(site: Path, tmp_path: Path) -> None:
    first = start_build(site, tmp_path / "public")
    wait_until_locked(site, first)
    check = subprocess.run([sys.executable, "-c", "from builder.cli import main; main()", "check", "--source", str(site)],
                           cwd=REPO, capture_output=True, text=True)
    first.communicate()
    assert first.returncode == 0 and check.returncode == 0, check.stderr
    assert check.stderr.startswith(f"waiting for another build of this site to finish (process {first.pid})…\n")


def _clean(site: Path, out: Path) -> dict[str, bytes]:
    build(site, out, search=False, use_cache=False)
    return tree(out)
