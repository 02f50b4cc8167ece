"""Every kind of content mistake: its exact message, location and exit code, with nothing written.

Each folder in sites/errors/ holds files laid over a copy of sites/example/ (one mistake each)
and expected.txt, the exact output of `digest check`. Regenerate with --update-golden and review.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from conftest import stamps, tree

SITES = Path(__file__).parent / "sites"
CASES = sorted(p.name for p in (SITES / "errors").iterdir() if p.is_dir())


def broken_site(case: str, root: Path) -> Path:
    shutil.copytree(SITES / "example", root)
    for path in sorted((SITES / "errors" / case).rglob("*")):
        rel = path.relative_to(SITES / "errors" / case)
        if path.is_file() and rel.as_posix() != "expected.txt":
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, root / rel)
    return root


def test_there_is_a_case_for_every_kind_of_mistake():
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES)
def test_check_reports_the_mistake_with_its_location(case, tmp_path, update_golden):
    site = broken_site(case, tmp_path / "site")
    result = CliRunner().invoke(main, ["check", "--source", str(site)])
    expected_file = SITES / "errors" / case / "expected.txt"
    if update_golden:
        expected_file.write_text(result.stderr, encoding="utf-8")
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    assert result.stderr == expected_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", CASES)
def test_build_fails_on_the_mistake_and_leaves_the_previous_output_untouched(case, tmp_path):
    site = broken_site(case, tmp_path / "site")
    out = tmp_path / "public"
    shutil.copytree(SITES / "example", tmp_path / "good")
    assert CliRunner().invoke(main, ["build", "--source", str(tmp_path / "good"), "--out", str(out)]).exit_code == 0
    before = tree(out), stamps(out)
    result = CliRunner().invoke(main, ["build", "--source", str(site), "--out", str(out)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith((SITES / "errors" / case / "expected.txt").read_text(encoding="utf-8").rsplit("\n", 2)[0])
    assert (tree(out), stamps(out)) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good", "public", "site"]  # no staging left behind


@pytest.mark.parametrize("output_format", ["github", "json"])
def test_machine_formats_carry_the_same_diagnostics(output_format, tmp_path):
    site = broken_site("unknown-source", tmp_path / "site")
    result = CliRunner().invoke(main, ["check", "--source", str(site), "--format", output_format])
    assert result.exit_code == 1
    if output_format == "github":
        assert result.stdout == ("::error file=content/articles/soybean-deal.yaml,line=7,col=15::"
                                 "unknown source 'xinhau' (did you mean 'xinhua'?)\n")
    else:
        import json
        assert json.loads(result.stdout) == [{
            "path": "content/articles/soybean-deal.yaml", "line": 7, "column": 15, "severity": "error",
            "message": "unknown source 'xinhau' (did you mean 'xinhua'?)"}]
