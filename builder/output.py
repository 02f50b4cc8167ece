"""Files -> the output folder: the only module that writes.

The site is written to a staging folder beside the output and swapped in only when
complete, so a failed or interrupted build leaves the previous site as it was.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath

from .render import RenderedFile


class UnsafeOutput(Exception):
    """The output folder or a file in it would put something other than the site at risk."""


def check_output_folder(out: Path, site_root: Path) -> None:
    """Refuse an output folder whose replacement would delete something that is not a built site."""
    out, site_root = out.resolve(), site_root.resolve()
    home = Path.home().resolve()
    if out == Path(out.anchor) or out == home:
        raise UnsafeOutput(f"refusing to build into {out}: choose a dedicated folder such as public/")
    if out == site_root or site_root.is_relative_to(out):
        raise UnsafeOutput(f"refusing to build into {out}: it contains the site itself")
    for folder in ("content", "site", "templates"):
        if (site_root / folder).resolve().is_relative_to(out) or out.is_relative_to(site_root / folder):
            raise UnsafeOutput(f"refusing to build into {out}: it overlaps the site's {folder}/ folder")
    if out.exists() and not out.is_dir():
        raise UnsafeOutput(f"refusing to build into {out}: it is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / "index.html").is_file():
        # A built site always has index.html; anything else may be someone's files.
        raise UnsafeOutput(f"refusing to build into {out}: it holds files that are not a built digest; "
                           "choose an empty or new folder")


def write_site(files: list[RenderedFile], out: Path) -> None:
    """Write every file into a fresh staging folder, then swap it in for `out`."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    _recover_interrupted(out)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    try:
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
        for file in files:
            target = _inside(staging, file.path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data)
        if out.exists():
            os.rename(out, retired)
        os.rename(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    if retired.exists():
        shutil.rmtree(retired, ignore_errors=True)


def _recover_interrupted(out: Path) -> None:
    """Undo what a killed build left: put the previous site back, drop half-written staging."""
    leftovers = sorted(out.parent.glob(f".{out.name}.staging-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))
    for leftover in leftovers:
        if leftover.name.startswith(f".{out.name}.old-") and not out.exists():
            os.rename(leftover, out)  # killed between the two renames of the swap
        else:
            shutil.rmtree(leftover, ignore_errors=True)


def _inside(folder: Path, rel_path: str) -> Path:
    """`folder / rel_path`, refusing any path that would land outside `folder`."""
    parts = PurePosixPath(rel_path).parts
    if not parts or PurePosixPath(rel_path).is_absolute() or any(p in ("..", ".", "") for p in parts):
        raise UnsafeOutput(f"refusing to write '{rel_path}': not a plain path inside the output folder")
    return folder.joinpath(*parts)
