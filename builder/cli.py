"""The `digest` command: options in; diagnostics, summary and exit code out."""

from __future__ import annotations

import time
from pathlib import Path

import click

from . import __version__
from .build import build as build_site
from .diagnostics import ContentErrors
from .output import UnsafeOutput


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
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Processes to render with.  [default: every core]")
@click.option("--clean", is_flag=True, help="Ignore the build cache (.digest-cache/): render every page.")
def build(source_dir: Path, out_dir: Path | None, drafts: bool, jobs: int | None, clean: bool) -> None:
    """Build the digest into static HTML."""
    if not source_dir.is_dir():
        raise click.BadParameter(f"'{source_dir}' is not a folder", param_hint="--source")
    out = out_dir if out_dir is not None else source_dir / "public"
    started = time.perf_counter()
    try:
        summary = build_site(source_dir, out, include_drafts=drafts, jobs=jobs, clean=clean)
    except ContentErrors as errors:
        report(errors)
        raise SystemExit(1)
    except UnsafeOutput as refusal:
        click.echo(f"error: {refusal}", err=True)
        raise SystemExit(1)
    seconds = time.perf_counter() - started
    click.echo(f"built {summary.pages} pages from {summary.articles} articles "
               f"({summary.claims} claims, {summary.caveats} caveats) into {out} in {seconds:.2f} s"
               f" ({summary.rendered} rendered, {summary.written} written)")


def report(errors: ContentErrors) -> None:
    """Print located diagnostics, sorted, then their count."""
    for diagnostic in errors.diagnostics:
        click.echo(str(diagnostic), err=True)
    count = len(errors.diagnostics)
    click.echo(f"{count} error{'s' if count != 1 else ''}; nothing was written", err=True)
