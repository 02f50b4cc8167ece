"""Which files of the output folder a build changes: for the summary and for live reload."""

from __future__ import annotations

from pathlib import Path

from .render import RenderedFile


def changed_files(files: list[RenderedFile], out: Path) -> tuple[str, ...]:
    """Paths (relative to `out`) that the new files add, alter or remove, sorted."""
    existing = {path.relative_to(out).as_posix(): path for path in out.rglob("*") if path.is_file()} \
        if out.is_dir() else {}
    changed = {file.path for file in files
               if file.path not in existing or existing[file.path].read_bytes() != file.data}
    removed = set(existing) - {file.path for file in files}
    return tuple(sorted(changed | removed))
