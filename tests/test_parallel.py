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


def test_a_site_template_that_reads_the_claimants_renders_the_same_on_workers(tmp_path: Path) -> None:
    """Workers get the claimants registry as it is made (from claimants.yaml): a site's own template
    that lists them all renders on them as in one process, and follows an edit of claimants.yaml."""
    import shutil

    from bs4 import BeautifulSoup
    site = tmp_path / "desk"
    shutil.copytree(REPO / "tests" / "sites" / "desk", site)
    (site / "templates").mkdir()
    theme = (REPO / "templates" / "article.html").read_text(encoding="utf-8")
    (site / "templates" / "article.html").write_text(theme.replace(
        "</article>", "<p id='everyone'>{{ claimants|length }} names: {{ claimants|sort|join(', ') }}</p></article>"),
        encoding="utf-8")
    build(site, tmp_path / "serial", jobs=1)
    with ProcessPoolExecutor(2) as executor:
        build(site, tmp_path / "workers", executor=executor)
        assert tree(tmp_path / "workers") == tree(tmp_path / "serial")
        page = BeautifulSoup((tmp_path / "workers/articles/budget-vote/index.html").read_bytes(), "html.parser")
        assert page.find(id="everyone").get_text() == "2 names: Ana Lopez, 张伟"  # the registered ones
        registry = site / "content/claimants.yaml"
        registry.write_text(registry.read_text(encoding="utf-8").replace("name: 张伟", "name: Zhang Wei")
                            .replace("aliases: [Zhang Wei]", "aliases: [张伟]"),
                            encoding="utf-8")
        build(site, tmp_path / "workers", executor=executor)
    page = BeautifulSoup((tmp_path / "workers/articles/budget-vote/index.html").read_bytes(), "html.parser")
    assert page.find(id="everyone").get_text() == "2 names: Ana Lopez, Zhang Wei"
    build(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(tmp_path / "workers") == tree(tmp_path / "clean")