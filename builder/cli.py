"""The `digest` command: options in; diagnostics, summary and exit code out."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from . import __version__
from .build import build as build_site
from .build import check as check_site
from .diagnostics import ContentErrors, Diagnostic
from .output import UnsafeOutput
from .search import SearchUnavailable
from .schema import document_schemas

FORMATS = click.Choice(["text", "github", "json"])


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
def build(source_dir: Path, out_dir: Path | None, drafts: bool, no_search: bool, strict: bool,
          output_format: str) -> None:
    """Check the digest, then build it into static HTML."""
    _require_folder(source_dir)
    out = out_dir if out_dir is not None else source_dir / "public"
    started = time.perf_counter()
    try:
        summary = build_site(source_dir, out, include_drafts=drafts, strict=strict, search=not no_search)
    except ContentErrors as errors:
        report(errors.diagnostics, output_format)
        click.echo(f"nothing was written; {out} is as it was", err=True)
        raise SystemExit(1) from None
    except UnsafeOutput as refusal:
        raise click.ClickException(str(refusal)) from None
    except SearchUnavailable as missing:
        click.echo(f"error: {missing}", err=True)
        raise SystemExit(1) from None
    report(summary.warnings, output_format, quiet_when_clean=True)
    seconds = time.perf_counter() - started
    click.echo(f"built {summary.pages} pages from {summary.articles} article{'s' if summary.articles != 1 else ''} "
               f"({summary.claims} claims, {summary.caveats} caveats) into {out} in {seconds:.2f} s")


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
@click.argument("name", type=click.Choice(sorted(document_schemas())), default="annotations")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write every schema as NAME.schema.json into this folder instead of printing one.")
def schema(name: str, out_dir: Path | None) -> None:
    """Print the JSON Schema of a content file (default: the annotation file)."""
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
        click.echo(_as_github(d) if output_format == "github" else str(d), err=output_format == "text")
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


if __name__ == "__main__":
    main()
