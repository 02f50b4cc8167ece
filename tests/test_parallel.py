"""Parallel rendering gives the bytes a single process gives, on any Executor."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from builder.build import MIN_PARALLEL, build
from builder.stages.content import load_content
from builder.stages.pages import plan_pages
from builder.stages.render import render_pages
from builder.stages.resolve import resolve

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


def test_any_executor_renders_the_same_pages(generated_site: Path) -> None:
    digest = resolve(load_content(generated_site))
    page_list = plan_pages(digest)
    serial = list(render_pages(page_list, digest, None))
    with ThreadPoolExecutor(3) as executor:
        threaded = list(render_pages(page_list, digest, None, executor))
        again = list(render_pages(page_list, digest, None, executor))
    # Index pages are rendered between the executor's results: another order, always the same one.
    assert sorted(threaded, key=lambda file: file.path) == sorted(serial, key=lambda file: file.path)
    assert [file.path for file in threaded] == [file.path for file in again]
    assert len(serial) == len(page_list)


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


def test_article_pages_sent_to_workers_with_part_of_the_registries_render_as_in_one_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers get only the claimants and link targets their pages name; a site's own template that reads more
    (here: every claimant) has its page rendered again with them all."""
    import shutil

    from builder.stages import render
    monkeypatch.setattr(render, "RENDER_CHUNK", 1)  # one page a task: each gets its own part of the registries
    site = tmp_path / "desk"
    shutil.copytree(REPO / "tests" / "sites" / "desk", site)
    (site / "templates").mkdir()
    theme = (REPO / "templates" / "article.html").read_text(encoding="utf-8")
    (site / "templates" / "article.html").write_text(theme.replace(
        "</article>", "<p id='everyone'>{{ claimants|length }} names: {{ claimants|sort|join(', ') }}</p></article>"),
        encoding="utf-8")
    digest = resolve(load_content(site))
    page_list = plan_pages(digest, search=False)
    serial = {file.path: file for file in render_pages(page_list, digest, site / "templates")}
    with ThreadPoolExecutor(2) as executor:
        shipped = {file.path: file for file in render_pages(page_list, digest, site / "templates", executor)}
    assert shipped == serial
    from bs4 import BeautifulSoup
    page = BeautifulSoup(serial["articles/budget-vote/index.html"].data.decode("utf-8"), "html.parser")
    assert page.find(id="everyone").get_text() == ("6 names: Ana Lopez, Mayor Ana Lopez, Mayor Lopez, Riverton City "
                                                   "Council, Riverton Transit Riders' Association, 张伟")
