"""Files -> the output folder: the only module that writes.

Two guarantees meet here: a failed or interrupted build leaves the previous output exactly as it
was (the site is assembled in a staging folder beside it and swapped in whole), and a file whose
bytes did not change keeps its inode and mtime (so uploads to a static host send only changes).

The staging folder, `.<out>.staging` beside the output, is the generation before the current one,
kept between builds. A build brings it up to date and swaps it with the output:

- a file whose bytes are unchanged becomes a hard link to the output's file (os.link: same inode,
  same mtime); one already linked is left alone, so a rebuild touches only what changed;
- a changed file is written as a new file: the old one is unlinked first, never written through,
  since its inode may be shared with the live output;
- files the new site no longer has are removed from staging (empty folders too);
- the two folders are exchanged in one atomic rename (renameat2 RENAME_EXCHANGE where the system
  has it, else two renames); the previous output becomes the next build's staging folder.

Until the exchange, the output is not touched; an interrupted build leaves staging half-updated,
and the next build brings it up to date again from the output it finds. Where hard links are not
supported, unchanged files are copied with their mtime instead.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:  # not at run time: a build with nothing to do never loads the template engine
    from .render import RenderedFile


@dataclass(frozen=True)
class KeptFile:
    """A file the output already holds with the right bytes (graph.py decides)."""

    path: str


@dataclass(frozen=True)
class PlacedFile:
    """A file already put into the staging folder by place_file() (in a worker, as it rendered it)."""

    path: str
    written: bool  # its bytes differ from the output's


@dataclass(frozen=True)
class WriteResult:
    written: int  # files whose bytes changed (or are new)
    files: tuple[str, ...]  # every file of the new output
    changed: tuple[str, ...]  # files added, altered or removed, sorted (for the summary and live reload)


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


def staging_folder(out: Path) -> Path:
    """Where the next output is assembled: beside `out`, hidden (see the module docstring)."""
    return out.parent / f".{out.name}.staging"


def prepare_staging(out: Path) -> Path:
    """The staging folder of `out`, made ready for files (see the module doc)."""
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_folder(out)
    _recover_interrupted(out, staging)
    if staging.is_symlink() or (staging.exists() and not staging.is_dir()):
        raise UnsafeOutput(f"refusing to use {staging} as the staging folder: it is not a folder")
    staging.mkdir(exist_ok=True)
    return staging


def place_file(out: str, staging: str, path: str, data: bytes) -> bool:
    """Put one file into a prepared staging folder; whether its bytes differ from the output's.

    Safe to run in several processes at once for different files: a worker that renders a page
    writes it at once, instead of sending it back to the build process.
    """
    target, current = _inside(staging, path), _inside(out, path)
    _make_folder(os.path.dirname(target), staging)
    if _holds(current, data):
        _link_current(current, target)
        return False
    _replace(target, data)
    return True


def write_site(files: Iterable[RenderedFile | KeptFile | PlacedFile], out: Path) -> WriteResult:
    """Bring the staging folder to exactly `files`, then swap it in for `out` (see the module doc)."""
    out = out.resolve()
    staging = prepare_staging(out)
    # Plain strings and os calls from here: this loop runs once per page of the site.
    made_folders: set[str] = set()
    paths: list[str] = []
    written: list[str] = []
    for file in files:
        paths.append(file.path)
        if isinstance(file, PlacedFile):
            if file.written:
                written.append(file.path)
            continue
        target, current = _inside(staging, file.path), _inside(out, file.path)
        folder = os.path.dirname(target)
        if folder not in made_folders:
            _make_folder(folder, str(staging))
            made_folders.add(folder)
        if not isinstance(file, KeptFile) and not _holds(current, file.data):
            _replace(target, file.data)
            written.append(file.path)
        else:
            _link_current(current, target)
    kept = set(paths)
    _remove_others(staging, kept)
    removed = [path for path in _files_under(out) if path not in kept]
    _swap(staging, out)
    return WriteResult(len(written), tuple(paths), tuple(sorted(written + removed)))


def _files_under(folder: Path) -> list[str]:
    """Every file below `folder`, as paths relative to it."""
    found = []
    for directory, _, names in os.walk(folder):
        prefix = os.path.relpath(directory, folder).replace(os.sep, "/")
        found.extend(name if prefix == "." else f"{prefix}/{name}" for name in names)
    return found


def _recover_interrupted(out: Path, staging: Path) -> None:
    """Finish what a build killed inside the two-rename swap left (where no atomic exchange exists)."""
    for retired in sorted(out.parent.glob(f".{out.name}.old-*")):
        if not out.exists():
            os.rename(retired, out)  # killed between the renames: the previous site goes back
        elif not staging.exists():
            os.rename(retired, staging)  # killed after the new site went in: keep the old as staging
        else:
            shutil.rmtree(retired, ignore_errors=True)


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at `path` has exactly these bytes (read a block at a time: an export
    file can be tens of megabytes, and this need not hold a second copy of it)."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        expected = memoryview(data)
        with open(path, "rb") as stream:
            offset = 0
            while block := stream.read(1 << 20):
                if expected[offset:offset + len(block)] != block:
                    return False
                offset += len(block)
        return offset == len(data)
    except OSError:
        return False


def _make_folder(folder: str, staging: str) -> None:
    """mkdir -p inside staging, replacing a file that stands where a folder must be."""
    try:
        if stat.S_ISDIR(os.lstat(folder).st_mode):
            return
        os.unlink(folder)
    except FileNotFoundError:
        pass
    if folder != staging:
        _make_folder(os.path.dirname(folder), staging)
    try:
        os.mkdir(folder)
    except FileExistsError:  # made by another worker meanwhile
        pass


def _replace(target: str, data: bytes) -> None:
    """Write `data` as a new file at `target`: never through an inode the output may share."""
    _remove(target)
    with open(target, "xb") as stream:
        stream.write(data)


def _link_current(current: str, target: str) -> None:
    """Make `target` the output's own file (a hard link: same bytes, inode and mtime)."""
    try:
        if os.path.samestat(os.stat(current), os.lstat(target)):
            return
    except OSError:
        pass
    _remove(target)
    try:
        os.link(current, target, follow_symlinks=False)
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copy2(current, target, follow_symlinks=False)


def _remove(path: str) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _remove_others(staging: Path, keep: set[str]) -> None:
    """Delete from staging every file not in `keep`, then the folders left empty."""
    _prune(str(staging), "", keep)


def _prune(folder: str, prefix: str, keep: set[str]) -> int:
    """Prune one folder (one scandir each, no further stat); return how many entries it still holds."""
    remaining = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if _prune(entry.path, f"{prefix}{entry.name}/", keep):
                    remaining += 1
                else:
                    os.rmdir(entry.path)
            elif prefix + entry.name in keep:
                remaining += 1
            else:
                os.unlink(entry.path)
    return remaining


def _swap(staging: Path, out: Path) -> None:
    """Exchange the two folders atomically where possible; afterwards `staging` holds the old output."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        return
    retired = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, retired)
    os.rename(staging, out)
    os.rename(retired, staging)


def _exchange(first: Path, second: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): both names swap in one step. False where unavailable."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(first))


def _inside(folder: Path, rel_path: str) -> str:
    """`folder / rel_path`, refusing any path that would land outside `folder`."""
    parts = rel_path.split("/")
    if any(part in ("", ".", "..") for part in parts) or "\0" in rel_path:
        raise UnsafeOutput(f"refusing to write '{rel_path}': not a plain path inside the output folder")
    return os.path.join(folder, rel_path)
