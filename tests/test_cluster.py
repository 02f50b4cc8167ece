"""The per-article map on a Dask cluster: workers that share no files with the build give the same site."""

from __future__ import annotations

import builtins
import sys
from pathlib import Path

import cloudpickle
import pytest
from click.testing import CliRunner
from distributed import Client, LocalCluster

from builder.build import MIN_PARALLEL, build
from builder.cli import main
from conftest import tree

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import corpus  # noqa: E402  (the benchmark's seeded corpus generator)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    corpus.generate(root, MIN_PARALLEL // 2, seed=11)
    return root / "digest"


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=40) as local:
        yield local


def _as_a_remote_worker(root: str) -> None:
    """In a worker: opening a file of the site fails, as on a machine without it; and the article
    tasks it runs are counted."""
    import builder.tasks

    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if isinstance(file, (str, Path)) and str(Path(file).resolve()).startswith(root):
            raise PermissionError(f"a worker opened {file}")
        return real_open(file, *args, **kwargs)

    builtins.open = guarded
    run_chunk = builder.tasks.article_chunk
    builder.tasks.articles_analysed_here = 0

    def counted(jobs):
        builder.tasks.articles_analysed_here += len(jobs)
        return run_chunk(jobs)

    builder.tasks.article_chunk = counted  # tasks name the function: workers look it up here


def _analysed_here() -> int:
    import builder.tasks

    return getattr(builder.tasks, "articles_analysed_here", 0)


def test_a_build_on_a_dask_cluster_equals_a_local_build(site: Path, cluster, tmp_path: Path) -> None:
    build(site, tmp_path / "local", jobs=1, use_cache=False, search=False)
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with Client(cluster.scheduler_address) as client:
        client.run(_as_a_remote_worker, str(site.resolve()))
    result = CliRunner().invoke(main, ["build", "--source", str(site), "--out", str(tmp_path / "cluster"),
                                       "--no-search", "--executor", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert tree(tmp_path / "cluster") == tree(tmp_path / "local")
    with Client(cluster.scheduler_address) as client:  # every article was analysed there, none here
        assert sum(client.run(_analysed_here).values()) == len(list((site / "content" / "articles").glob("*.md")))
    assert _analysed_here() == 0


def test_an_unreachable_scheduler_is_a_clear_error(site: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["build", "--source", str(site), "--out", str(tmp_path / "out"),
                                       "--executor", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
