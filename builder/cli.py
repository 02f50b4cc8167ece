"""The `digest` command: options in; diagnostics, summary and exit code out."""

from __future__ import annotations

import datetime
import json
import re
import time
from pathlib import Path

import click

from . import __version__
from .build import build as build_site
from .build import check as check_site
from .stages.diagnostics import ContentErrors, Diagnostic, SearchUnavailable, did_you_mean
from .stages.output import UnsafeOutput
from .terminal import TerminalProgress, Verbosity, say, say_diagnostic, summary_line

FORMATS = click.Choice(["text", "github", "json"])
# schema.document_schemas()'s names, written out so that every command does not load the schema
# code (tests/test_schema.py checks they agree).
SCHEMA_NAMES = ["annotations", "claimants", "config", "front-matter", "sources", "topics"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def main() -> None:
    """Build annotated news digests: claims, sources and caveats as a static site."""


def source_option(command):
    return click.option("--source", "source_dir", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("."), show_default=True, help="The site root: holds site/ and content/.")(command)


@main.command()
@source_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder.  [default: public/ in the site root]")
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
@click.option("--no-search", is_flag=True, help="Skip the Pagefind search index (and the search page).")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True,
              help="How to print errors and warnings.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes to render with.  [default: every core]")
@click.option("--clean", is_flag=True, help="Ignore the build cache (.digest-cache/): render every page.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors and warnings only.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each stage's duration and each file changed.")
def build(source_dir: Path, out_dir: Path | None, drafts: bool, no_search: bool, strict: bool, output_format: str,
          jobs: int | None, clean: bool, quiet: bool, verbose: bool) -> None:
    """Check the digest, then build it into static HTML."""
    _require_folder(source_dir)
    verbosity = verbosity_of(quiet, verbose)
    out = out_dir if out_dir is not None else source_dir / "public"
    started = time.perf_counter()
    progress = TerminalProgress(verbosity)
    try:
        summary = build_site(source_dir, out, include_drafts=drafts, strict=strict, progress=progress,
                             search=not no_search, jobs=jobs, clean=clean)
    except ContentErrors as errors:
        progress.finish()
        report(errors.diagnostics, output_format)
        click.echo(f"nothing was written; {out} is as it was", err=True)
        raise SystemExit(1) from None
    except UnsafeOutput as refusal:
        progress.finish()
        raise click.ClickException(str(refusal)) from None
    except SearchUnavailable as missing:
        progress.finish()
        click.echo(f"error: {missing}", err=True)
        raise SystemExit(1) from None
    progress.finish()
    report(summary.warnings, output_format, quiet_when_clean=True)
    seconds = time.perf_counter() - started
    if verbosity == Verbosity.VERBOSE:
        for path in summary.changed_paths:
            say(f"  changed {path}")
    if verbosity >= Verbosity.NORMAL:
        say(summary_line(summary, out, seconds), fg="green")


def verbosity_of(quiet: bool, verbose: bool) -> Verbosity:
    """--quiet and --verbose as one setting; both at once is a usage error."""
    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose cannot be used together")
    return Verbosity.QUIET if quiet else Verbosity.VERBOSE if verbose else Verbosity.NORMAL


@main.command()
@source_option
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True,
              help="text for people, github for Actions annotations, json for scripts.")
def check(source_dir: Path, strict: bool, output_format: str) -> None:
    """Validate the whole digest without writing anything."""
    _require_folder(source_dir)
    try:
        diagnostics = check_site(source_dir)
    except ContentErrors as errors:
        diagnostics = errors.diagnostics
    report(diagnostics, output_format)
    failing = [d for d in diagnostics if d.severity == "error" or strict]
    raise SystemExit(1 if failing else 0)


@main.command()
@click.argument("name", type=click.Choice(SCHEMA_NAMES), default="annotations")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write every schema as NAME.schema.json into this folder instead of printing one.")
def schema(name: str, out_dir: Path | None) -> None:
    """Print the JSON Schema of a content file (default: the annotation file)."""
    from .stages.schema import document_schemas

    schemas = document_schemas()
    if out_dir is None:
        click.echo(json.dumps(schemas[name], indent=2, ensure_ascii=False))
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    for schema_name, document in sorted(schemas.items()):
        (out_dir / f"{schema_name}.schema.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n",
                                                            encoding="utf-8")
    click.echo(f"wrote {len(schemas)} schemas to {out_dir}")


def _require_folder(source_dir: Path) -> None:
    if not source_dir.is_dir():
        raise click.BadParameter(f"'{source_dir}' is not a folder", param_hint="--source")


def report(diagnostics: tuple[Diagnostic, ...] | list[Diagnostic], output_format: str,
           quiet_when_clean: bool = False) -> None:
    """Print diagnostics sorted by location, in the chosen format, then (as text) their count."""
    diagnostics = sorted(diagnostics)
    if output_format == "json":
        if diagnostics or not quiet_when_clean:
            click.echo(json.dumps([_as_json(d) for d in diagnostics], indent=2, ensure_ascii=False))
        return
    for d in diagnostics:
        if output_format == "github":
            click.echo(_as_github(d))
        else:
            say_diagnostic(d)  # the severity in colour on a terminal
    if output_format == "text" and (diagnostics or not quiet_when_clean):
        click.echo(_count(diagnostics), err=True)


def _count(diagnostics: list[Diagnostic]) -> str:
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    parts = [f"{errors} error{'s' if errors != 1 else ''}", f"{warnings} warning{'s' if warnings != 1 else ''}"]
    return ", ".join(parts)


def _as_json(d: Diagnostic) -> dict:
    return {"path": d.at.path, "line": d.at.line, "column": d.at.column, "severity": d.severity, "message": d.message}


def _as_github(d: Diagnostic) -> str:
    """A GitHub Actions workflow command, so the problem shows inline on the pull request."""
    def escape_data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def escape_property(text: str) -> str:
        return escape_data(text).replace(":", "%3A").replace(",", "%2C")

    return (f"::{d.severity} file={escape_property(d.at.path)},line={d.at.line},col={d.at.column}"
            f"::{escape_data(d.message)}")


@main.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--title", default=None, help="The digest's name.  [default: from the folder name]")
@click.option("--theme-copy", is_flag=True,
              help="Also copy the built-in theme: templates into templates/, assets into site/static/, to customise.")
def init(folder: Path, title: str | None, theme_copy: bool) -> None:
    """Create a new digest in FOLDER (new or empty) that builds as it is."""
    from .scaffold import ScaffoldRefusal, create_digest, title_from_folder

    try:
        created = create_digest(folder, title or title_from_folder(folder), theme_copy)
    except ScaffoldRefusal as refusal:
        say(f"error: {refusal}", err=True)
        raise SystemExit(1) from None
    say(f"created a digest in {folder} ({len(created)} files)", fg="green")
    say(f"next: digest serve --source {folder}   (or: digest build --source {folder})")


@main.command()
@click.argument("title")
@source_option
@click.option("--date", "date", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Publication date, like 2026-02-04.  [default: today]")
@click.option("--topics", "topics", default="", help="Topic ids, separated by commas: --topics trade,energy")
@click.option("--slug", default=None, help="The file name, instead of one made from the title.")
@click.option("--draft", is_flag=True, help="Mark the article draft: true (built only with --drafts).")
def new(title: str, source_dir: Path, date: datetime.datetime | None, topics: str, slug: str | None,
        draft: bool) -> None:
    """Start an article: its Markdown file and its annotation file.

    Creates content/articles/<slug>.md, the slug made from TITLE, and beside it a commented
    annotation template; refuses to overwrite either.
    """
    from .scaffold import Known, ScaffoldRefusal, article_slug, create_article, known_ids
    from .stages.shapes import SLUG_PATTERN

    slug = slug if slug is not None else article_slug(title)
    if not SLUG_PATTERN.match(slug):
        raise click.BadParameter(f"'{slug}' is not a valid slug: use lowercase letters, digits and single hyphens"
                                 if slug else "the title has no letters or digits to make a file name from",
                                 param_hint="--slug")
    topic_ids = tuple(t for t in re.split(r"[,\s]+", topics) if t)
    known = known_ids(source_dir)
    if known is not None:
        for topic_id in topic_ids:
            if topic_id not in known.topic_ids:
                raise click.BadParameter(f"unknown topic '{topic_id}'{did_you_mean(topic_id, known.topic_ids)}; "
                                         f"topics are defined in content/topics.yaml", param_hint="--topics")
    try:
        created = create_article(source_dir, title, slug, (date or datetime.datetime.now()).date(), topic_ids,
                                 draft, known or Known())
    except ScaffoldRefusal as refusal:
        say(f"error: {refusal}", err=True)
        raise SystemExit(1) from None
    for path in created:
        say(f"created {path}", fg="green")


@main.command()
@source_option
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on; 0 picks a free one.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Also print changed files, build folder and requests.")
def serve(source_dir: Path, port: int, host: str, drafts: bool, quiet: bool, verbose: bool) -> None:
    """Preview with live reload while you edit.

    Builds into a temporary folder, serves it, rebuilds on every change to content, site
    settings, static files or templates, and reloads the open pages a change affects.
    Errors are shown over the page and in the terminal. Ctrl-C stops it.
    """
    from .serve import ServeError, serve as serve_site

    _require_folder(source_dir)
    if not (source_dir / "site").is_dir() and not (source_dir / "content").is_dir():
        say(f"error: {source_dir} is not a digest: it has neither site/ nor content/ "
            f"(`digest init FOLDER` starts one; --source points to one)", err=True)
        raise SystemExit(1)
    verbosity = verbosity_of(quiet, verbose)
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(f"warning: serving on {host} lets other machines see the preview", err=True, fg="yellow")
    try:
        serve_site(source_dir, host, port, drafts, verbosity)
    except ServeError as error:
        say(f"error: {error}", err=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
