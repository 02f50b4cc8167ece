"""What `digest build` prints: the summary, --quiet and --verbose, progress, colour."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from click.testing import CliRunner

from builder.cli import main
from builder.terminal import TerminalProgress, Verbosity
from conftest import article, make_site

CLAIM = """\
claims:
  - id: beans
    quote: buy soybeans
    status: unconfirmed
    sources: [trump]
"""


def small_site(root: Path) -> Path:
    return make_site(root, {"content/articles/call.md": article(body="China will buy soybeans."),
                            "content/articles/call.yaml": CLAIM})


def run(*args: str, env: dict[str, str] | None = None, color: bool = False):
    result = CliRunner().invoke(main, list(args), env=env, color=color)
    assert "Traceback" not in result.output
    return result


def test_summary_counts_pages_claims_caveats_warnings_and_seconds(tmp_path: Path) -> None:
    site = small_site(tmp_path)
    result = run("build", "--source", str(site))
    assert result.exit_code == 0
    line = result.stdout.strip()
    assert re.fullmatch(rf"built 19 pages from 1 article \(1 claim, 0 caveats\) into {re.escape(str(site / 'public'))} "
                        r"in \d+\.\d\d s: 19 changed, 0 unchanged, 4 warnings", line)
    assert result.stderr.endswith("0 errors, 4 warnings\n")


def test_a_second_build_reports_every_page_unchanged(tmp_path: Path) -> None:
    site = small_site(tmp_path)
    run("build", "--source", str(site))
    assert ": 0 changed, 19 unchanged, " in run("build", "--source", str(site)).stdout


def test_quiet_prints_only_problems(tmp_path: Path) -> None:
    site = small_site(tmp_path)
    quiet = run("build", "--quiet", "--source", str(site))
    assert quiet.stdout == ""
    assert quiet.stderr.endswith("warning: topic 'agriculture' has no articles or claims\n0 errors, 4 warnings\n")
    (site / "content/articles/call.yaml").write_text(CLAIM.replace("buy soybeans", "sell soybeans"))
    result = run("build", "-q", "--source", str(site))
    assert result.exit_code == 1
    assert result.stderr.startswith("content/articles/call.yaml:3:12: error: ")
    assert result.stderr.endswith(f"1 error, 0 warnings\nnothing was written; {site / 'public'} is as it was\n")


def test_verbose_prints_stage_durations_and_changed_files(tmp_path: Path) -> None:
    result = run("build", "--verbose", "--source", str(small_site(tmp_path)))
    # The article's page is rendered as it is analysed; the index pages, feeds and exports after.
    assert re.search(r"^  reading: \d+\.\d\d s\n  analysing 1 article: [\d.]+ s\n  resolving: [\d.]+ s\n"
                     r"  rendering 30 files: [\d.]+ s$", result.stderr, re.M)
    assert "  changed articles/call/index.html" in result.stdout


def test_quiet_and_verbose_together_are_a_usage_error(tmp_path: Path) -> None:
    result = run("build", "-q", "-v", "--source", str(small_site(tmp_path)))
    assert result.exit_code == 2
    assert "--quiet and --verbose cannot be used together" in result.output


def test_colour_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    site = small_site(tmp_path)
    assert "\x1b[32m" in run("build", "--source", str(site), color=True).stdout
    assert "\x1b[" not in run("build", "--source", str(site), color=True, env={"NO_COLOR": "1"}).stdout
    assert "\x1b[" not in run("build", "--source", str(site)).stdout


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_long_build_on_a_terminal_shows_a_bar() -> None:
    stream = FakeTerminal()
    progress = TerminalProgress(Verbosity.NORMAL, stream, after_seconds=0)
    progress.stage("rendering", total=4)
    for _ in range(4):
        progress.advance()
    progress.finish()
    assert "rendering 4 files" in stream.getvalue()
    assert "100%" in stream.getvalue()


def test_long_build_elsewhere_prints_plain_lines() -> None:
    stream = io.StringIO()
    progress = TerminalProgress(Verbosity.NORMAL, stream, after_seconds=0)
    progress.stage("reading")
    progress.stage("rendering", total=2)
    progress.advance()
    progress.advance()
    progress.finish()
    assert stream.getvalue() == "digest: reading\ndigest: rendering 2 files\n"


def test_short_build_prints_no_progress() -> None:
    stream = FakeTerminal()
    progress = TerminalProgress(Verbosity.NORMAL, stream, after_seconds=60)
    progress.stage("rendering", total=2)
    progress.advance()
    progress.finish()
    assert stream.getvalue() == ""


def test_a_long_stage_without_a_count_shows_its_name_until_it_ends() -> None:
    stream = FakeTerminal()
    progress = TerminalProgress(Verbosity.NORMAL, stream, after_seconds=0)
    progress.stage("resolving")
    deadline = time.monotonic() + 5
    while "resolving…" not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    progress.finish()
    assert stream.getvalue() == "\rresolving…\r\x1b[K"


def test_article_pages_naming_claimants_are_rendered_as_they_are_read(tmp_path: Path, monkeypatch) -> None:
    """The worker that reads an article renders its page, claimants and own id links included; a page that
    links another article by id is rendered by the build, which knows that article's claims."""
    import shutil

    from builder import outputs
    site = tmp_path / "desk"
    shutil.copytree(Path(__file__).parent / "sites" / "desk", site, ignore=shutil.ignore_patterns(".digest-cache"))
    rendered_by_the_build = []
    render_article = outputs._RENDERERS["article"]

    def recorded(context, env, path, slug):  # type: ignore[no-untyped-def]
        rendered_by_the_build.append(slug)
        return render_article(context, env, path, slug)

    monkeypatch.setitem(outputs._RENDERERS, "article", recorded)
    result = run("build", "--verbose", "--no-search", "--source", str(site))
    assert "built 25 pages from 2 articles" in result.stdout
    assert rendered_by_the_build == ["water-tariffs"]  # budget-vote's page was rendered as it was read
