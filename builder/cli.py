"""The `digest` command: options in; diagnostics, summary and exit code out."""

from __future__ import annotations

import contextlib
import datetime
import json
import re
import time
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import click

from . import __version__
from .build import Summary
from .build import build as build_site
from .build import check as check_site
from .stages.diagnostics import ContentErrors, Diagnostic, SearchUnavailable, did_you_mean
from .stages.output import UnsafeOutput
from .terminal import TerminalProgress, Verbosity, say, say_diagnostic, summary_line

if TYPE_CHECKING:
    from .linkcheck import LinkReport

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
              help="Processes to analyse and render with.  [default: every core]")
@click.option("--executor", "executor_address", metavar="tcp://HOST:PORT", default=None,
              help="Analyse the articles on a Dask cluster whose scheduler is at this address (pip install 'digest[dask]').")
@click.option("--clean", is_flag=True, help="Ignore the build cache (.digest-cache/): render every page.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors and warnings only.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each stage's duration and each file changed.")
def build(source_dir: Path, out_dir: Path | None, drafts: bool, no_search: bool, strict: bool, output_format: str,
          jobs: int | None, executor_address: str | None, clean: bool, quiet: bool, verbose: bool) -> None:
    """Check the digest, then build it into static HTML."""
    _require_folder(source_dir)
    verbosity = verbosity_of(quiet, verbose)
    out = out_dir if out_dir is not None else source_dir / "public"
    started = time.perf_counter()
    progress = TerminalProgress(verbosity)
    with _cluster(executor_address) if executor_address else contextlib.nullcontext() as executor:
        summary = _build_or_exit(source_dir, out, drafts, strict, progress, no_search, jobs, clean, executor,
                                 output_format)
    progress.finish()
    report(summary.warnings, output_format, quiet_when_clean=True)
    seconds = time.perf_counter() - started
    if verbosity == Verbosity.VERBOSE:
        for path in summary.changed_paths:
            say(f"  changed {path}")
    if verbosity >= Verbosity.NORMAL:
        say(summary_line(summary, out, seconds), fg="green")


@contextlib.contextmanager
def _cluster(address: str) -> Iterator[Executor]:
    """The executor of the Dask scheduler at `address`; a usage error if it cannot be reached."""
    from .engine.parallel import ClusterExecutor, ClusterUnavailable

    try:
        executor = ClusterExecutor(address)
    except ClusterUnavailable as problem:
        raise click.ClickException(str(problem)) from None
    try:
        yield executor
    finally:
        executor.shutdown()


def _build_or_exit(source_dir: Path, out: Path, drafts: bool, strict: bool, progress: TerminalProgress, no_search: bool,
                   jobs: int | None, clean: bool, executor: Executor | None, output_format: str) -> Summary:
    """The build's summary; its problems reported and the process ended with exit 1 if it fails."""
    try:
        return build_site(source_dir, out, include_drafts=drafts, strict=strict, progress=progress,
                          search=not no_search, jobs=jobs, clean=clean, executor=executor)
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
@click.option("--links", "links", is_flag=True,
              help="Also request every external URL the digest cites and warn at each dead one "
                   "(uses the network; answers are kept in .digest-cache/ for a day).")
@click.option("--link-timeout", type=click.FloatRange(min=0.1), default=15.0, show_default=True,
              help="With --links: seconds to wait for each link, redirects included.")
def check(source_dir: Path, strict: bool, output_format: str, links: bool, link_timeout: float) -> None:
    """Validate the whole digest, writing nothing but the build cache (--links: and check its external links)."""
    _require_folder(source_dir)
    try:
        diagnostics = check_site(source_dir, progress=TerminalProgress(Verbosity.NORMAL))
    except ContentErrors as errors:
        diagnostics = errors.diagnostics
    link_report = _check_links(source_dir, link_timeout) if links else None
    report(tuple(diagnostics) + (link_report.diagnostics if link_report else ()), output_format)
    if links:
        _report_link_counts(link_report)
    failing = [d for d in diagnostics + (link_report.diagnostics if link_report else ())
               if d.severity == "error" or strict]
    raise SystemExit(1 if failing else 0)


def _check_links(source_dir: Path, timeout: float) -> LinkReport | None:
    """The link checker's report, or None if the content cannot be read (its errors are reported anyway)."""
    from .linkcheck import LinkCheckSettings, check_links

    try:
        return check_links(source_dir, LinkCheckSettings(connect_timeout=min(5.0, timeout), total_timeout=timeout))
    except ContentErrors:
        return None


def _report_link_counts(link_report: LinkReport | None) -> None:
    """After the diagnostics, on stderr: how many links, from the cache, dead, not checked."""
    if link_report is None:
        say("links were not checked: the content has errors (above)", err=True)
        return
    for verdict in link_report.rate_limited:
        say(f"note: {verdict.url} was not checked: {verdict.problem} (the server asks for fewer requests; "
            f"it is asked again next time)", err=True)
    requested = link_report.checked - link_report.from_cache
    not_checked = f", {len(link_report.rate_limited)} not checked" if link_report.rate_limited else ""
    say(f"links: {link_report.checked} checked ({requested} requested, {link_report.from_cache} from the cache), "
        f"{link_report.dead} dead{not_checked}", err=True)


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
@click.option("--editing/--no-editing", default=None,
              help="Annotate in the browser: select text on an article page to add a claim or caveat.  "
                   "[default: on for loopback, off for any other --host]")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Also print changed files, build folder and requests.")
def serve(source_dir: Path, port: int, host: str, drafts: bool, editing: bool | None, quiet: bool,
          verbose: bool) -> None:
    """Preview with live reload while you edit.

    Builds into a temporary folder, serves it, rebuilds on every change to content, site
    settings, static files or templates, and reloads the open pages a change affects.
    Errors are shown over the page and in the terminal. Ctrl-C stops it.
    """
    from .serve import LOOPBACK_HOSTS, ServeError, serve as serve_site

    _require_folder(source_dir)
    if not (source_dir / "site").is_dir() and not (source_dir / "content").is_dir():
        say(f"error: {source_dir} is not a digest: it has neither site/ nor content/ "
            f"(`digest init FOLDER` starts one; --source points to one)", err=True)
        raise SystemExit(1)
    verbosity = verbosity_of(quiet, verbose)
    loopback = host in LOOPBACK_HOSTS
    if not loopback:
        say(f"warning: serving on {host} lets other machines see the preview", err=True, fg="yellow")
        if editing:
            say("warning: --editing is on: anyone who can reach the preview can change the annotation files",
                err=True, fg="yellow")
        elif editing is None:
            say("editing in the browser is off on a non-loopback address (--editing turns it on)", err=True)
    try:
        serve_site(source_dir, host, port, drafts, verbosity, editing=loopback if editing is None else editing)
    except ServeError as error:
        say(f"error: {error}", err=True)
        raise SystemExit(1) from None


@main.group(name="import")
def import_() -> None:
    """Bring annotations made elsewhere into the digest's annotation files."""


@import_.command()
@click.argument("export", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--article", "slug", default=None,
              help="The article's slug.  [default: from each annotation's uri, …/articles/<slug>/]")
@click.option("--source", "source_id", default=None, help="Source id for annotations without a source: tag.")
@click.option("--root", "root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The site root: holds site/ and content/.")
def hypothesis(export: Path, slug: str | None, source_id: str | None, root: Path) -> None:
    """Import a Hypothesis export (EXPORT.json) as claims and caveats.

    Tags give the fields: status:<id>, claimant:<name>, source:<id>, topic:<id>, and kind:<kind>
    for a caveat. An annotation that does not anchor, has no source or names an unknown id is
    listed with its reason and not imported; the exit code is then 1.
    """
    from .annotate.hypothesis import ExportUnreadable, import_hypothesis, read_export

    if not (root / "content" / "articles").is_dir():
        say(f"error: {root} is not a digest: it has no content/articles/ (--root points to one)", err=True)
        raise SystemExit(1)
    try:
        annotations = read_export(export, str(export))
    except ExportUnreadable as unreadable:
        say_diagnostic(unreadable.diagnostic)
        raise SystemExit(1) from None
    result = import_hypothesis(root, annotations, article=slug, default_source=source_id)
    for path, entry_id in result.imported:
        say(f"imported {entry_id} into {path}", fg="green")
    if result.already:
        say(f"{len(result.already)} already imported (nothing added)")
    if result.replies:
        say(f"{result.replies} repl{'ies' if result.replies != 1 else 'y'} to other annotations left out")
    for diagnostic in sorted(result.refused):
        say_diagnostic(diagnostic)
    imported = len(result.imported)
    say(f"{imported} annotation{'s' if imported != 1 else ''} imported, {len(result.refused)} not imported", err=True)
    raise SystemExit(1 if result.refused else 0)


if __name__ == "__main__":
    main()
