"""The `digest` command: options in; diagnostics, summary and exit code out."""

from __future__ import annotations

import time
from pathlib import Path

import click

from . import __version__
from .build import build as build_site
from .diagnostics import ContentErrors
from .output import UnsafeOutput
from .terminal import TerminalProgress, Verbosity, say, say_diagnostic, summary_line


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="digest")
def main() -> None:
    """Build annotated news digests: claims, sources and caveats as a static site."""


@main.command()
@click.option("--source", "source_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="The site root: holds site/ and content/.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder.  [default: public/ in the site root]")
@click.option("--drafts", is_flag=True, help="Include articles marked draft: true.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only.")
@click.option("-v", "--verbose", is_flag=True, help="Also print each stage's duration and each file written.")
def build(source_dir: Path, out_dir: Path | None, drafts: bool, quiet: bool, verbose: bool) -> None:
    """Build the digest into static HTML."""
    if not source_dir.is_dir():
        raise click.BadParameter(f"'{source_dir}' is not a folder", param_hint="--source")
    verbosity = verbosity_of(quiet, verbose)
    out = out_dir if out_dir is not None else source_dir / "public"
    started = time.perf_counter()
    progress = TerminalProgress(verbosity)
    try:
        summary = build_site(source_dir, out, include_drafts=drafts, progress=progress)
    except ContentErrors as errors:
        progress.finish()
        report(errors)
        raise SystemExit(1)
    except UnsafeOutput as refusal:
        progress.finish()
        say(f"error: {refusal}", err=True)
        raise SystemExit(1)
    progress.finish()
    seconds = time.perf_counter() - started
    for warning in summary.warnings:
        say_diagnostic(warning)
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


def report(errors: ContentErrors) -> None:
    """Print located diagnostics, sorted, then their count."""
    for diagnostic in errors.diagnostics:
        say_diagnostic(diagnostic)
    count = len(errors.diagnostics)
    click.echo(f"{count} error{'s' if count != 1 else ''}; nothing was written", err=True)
