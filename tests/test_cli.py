"""The command line: exit codes, summaries, and no tracebacks."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from builder import __version__
from builder.cli import main
from conftest import article, make_site


def test_version_and_help():
    assert CliRunner().invoke(main, ["--version"]).stdout == f"digest, version {__version__}\n"
    help_text = CliRunner().invoke(main, ["--help"]).stdout
    for command in ("build", "check", "schema"):
        assert command in help_text


def test_build_prints_a_one_line_summary(tmp_path):
    site = make_site(tmp_path, {"content/articles/a.md": article(extra="topics: [trade]\nsource: trump\n")})
    result = CliRunner().invoke(main, ["build", "--source", str(site)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("built 19 pages from 1 article (0 claims, 0 caveats) into ")
    assert (site / "public" / "index.html").is_file()
    # the warnings (two unused sources, an empty topic) are shown but do not fail the build
    assert "3 warnings" in result.stderr


def test_strict_makes_warnings_fail(tmp_path):
    site = make_site(tmp_path, {"content/articles/a.md": article()})
    assert CliRunner().invoke(main, ["check", "--source", str(site)]).exit_code == 0
    assert CliRunner().invoke(main, ["check", "--source", str(site), "--strict"]).exit_code == 1
    result = CliRunner().invoke(main, ["build", "--source", str(site), "--strict"])
    assert result.exit_code == 1
    assert not (site / "public").exists()


def test_missing_source_folder_is_a_usage_error_not_a_traceback(tmp_path):
    result = CliRunner().invoke(main, ["build", "--source", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "is not a folder" in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_an_empty_folder_explains_what_a_site_needs(tmp_path):
    result = CliRunner().invoke(main, ["check", "--source", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr == (
        "content/articles:1:1: error: no articles folder: create content/articles/ with one .md file per article\n"
        "site/config.yaml:1:1: error: no site configuration: create site/config.yaml with at least a 'title'\n"
        "2 errors, 0 warnings\n")


def test_default_digest_builds_from_the_repository_root(tmp_path):
    repo = Path(__file__).resolve().parent.parent
    result = CliRunner().invoke(main, ["build", "--source", str(repo), "--out", str(tmp_path / "public"), "--strict"])
    assert result.exit_code == 0, result.output
    assert "8 claims, 4 caveats" in result.stdout
