"""Parallel rendering gives the bytes a single process gives, on any Executor."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from builder.build import MIN_PARALLEL, build

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import corpus  # noqa: E402  (the benchmark's seeded corpus generator)
from conftest import tree  # noqa: E402


@pytest.fixture(scope="module")
def generated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    corpus.generate(root, MIN_PARALLEL + 4, seed=7)
    return root / "digest"


@pytest.fixture(scope="module")
def serial_output(generated_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("serial") / "public"
    build(generated_site, out, jobs=1, use_cache=False)
    return tree(out)


def test_parallel_build_equals_serial_build(generated_site: Path, serial_output: dict[str, bytes], tmp_path: Path) -> None:
    out = tmp_path / "public"
    with ProcessPoolExecutor(2) as executor:
        summary = build(generated_site, out, use_cache=False, executor=executor)
    assert summary.rendered == summary.pages
    assert tree(out) == serial_output


def test_any_executor_gives_the_same_site(generated_site: Path, serial_output: dict[str, bytes], tmp_path: Path) -> None:
    with ThreadPoolExecutor(3) as executor:
        build(generated_site, tmp_path / "threads", use_cache=False, executor=executor)
    assert tree(tmp_path / "threads") == serial_output


def test_output_is_the_same_for_any_jobs_and_hash_seed(generated_site: Path, serial_output: dict[str, bytes],
                                                       tmp_path: Path) -> None:
    for jobs, seed in (("1", "1"), ("2", "4242"), ("3", "random")):
        out = tmp_path / f"public-{jobs}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", "from builder.cli import main; main()", "build", "--source", str(generated_site),
                                 "--out", str(out), "--jobs", jobs, "--clean"],
                                cwd=REPO, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert tree(out) == serial_output
