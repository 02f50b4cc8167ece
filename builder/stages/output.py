"""Files -> the output folder: the only module that writes.

Two guarantees meet here: a failed or interrupted build leaves the previous output exactly as it
was (the site is assembled in a staging folder beside it and swapped in whole), and a file whose
bytes did not change keeps its inode and mtime (so uploads to a static host send only changes).

The staging folder, `.<out>.staging` beside the output, is the generation before the current one,
kept between builds. A build brings it up to date and swaps it with the output:

- a file whose bytes are unchanged becomes a hard link to the output's file (os.link: same inode,
  same mtime); one already linked is left alone;
- a changed file is written as a new file: the old one is unlinked first, never written through,
  since its inode may be shared with the live output;
- files the new site no longer has are removed from staging (empty folders too);
- the two folders are exchanged in one atomic rename (renameat2 RENAME_EXCHANGE where the system
  has it, else two renames); the previous output becomes the next build's staging folder.

When the builder knows that staging holds exactly the generation before the output, and which paths
the last build changed, only those paths and this build's changes are touched (`Staging.catch_up`):
a rebuild writes in proportion to the change. Otherwise staging is made a copy of the output by hard
links first (`Staging.mirror`). Until the exchange the output is not touched; an interrupted build
leaves staging half-updated, which the next build sees and mirrors again. Where hard links are not
supported, unchanged files are copied with their mtime instead.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
from pathlib import Path
from typing import Iterable, NamedTuple


class OutputStamp(NamedTuple):
    """What an output file looked like when written; hard links change ctime, so it is left out."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: str | Path) -> "OutputStamp | None":
        try:
            status = os.stat(path)
        except OSError:
            return None
        return cls(status.st_size, status.st_mtime_ns, status.st_ino)

    def __str__(self) -> str:
        return f"{self.size}:{self.mtime_ns}:{self.inode}"


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


class Staging:
    """The next output, assembled beside the current one (see the module doc)."""

    def __init__(self, out: Path, marker: Path) -> None:
        """`marker`: a file that exists while a build may be changing staging (a file of the builder's own)."""
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.folder = staging_folder(self.out)
        _recover_interrupted(self.out, self.folder)
        if self.folder.is_symlink() or (self.folder.exists() and not self.folder.is_dir()):
            raise UnsafeOutput(f"refusing to use {self.folder} as the staging folder: it is not a folder")
        self.is_new = not self.folder.exists()  # removed again by discard(): a failed build leaves nothing
        self.marker = marker
        # Staging is as the last build left it unless a build was stopped while changing it.
        self.trusted = not self.is_new and not marker.exists()
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("a build is changing the staging folder\n", encoding="utf-8")
        self.folder.mkdir(exist_ok=True)
        self.found_identity = _identity(self.folder)  # the builder checks it is the folder it left
        self.identity = ""  # of the folder the next build will find, once swapped
        self.written: set[str] = set()  # paths of files whose bytes this build changed or added
        self.removed: set[str] = set()
        self._made_folders: set[str] = set()
        self._emptied: set[str] = set()  # folders a file was removed from: pruned if left empty

    def put(self, path: str, data: bytes) -> bool:
        """Make `data` the file at `path` in the new site; whether its bytes differ from the output's."""
        target, current = _inside(self.folder, path), _inside(self.out, path)
        self._folder_for(target)
        if _holds(current, data):
            _link_current(current, target)
            self.written.discard(path)
            return False
        _replace(target, data)
        self.written.add(path)
        return True

    def copy(self, path: str, source: Path) -> bool:
        """put() the bytes of `source` (a static asset)."""
        return self.put(path, source.read_bytes())

    def drop(self, path: str) -> None:
        """A file of the current output that the new site does not have."""
        target = _inside(self.folder, path)
        _remove(target)
        self._emptied.add(os.path.dirname(target))
        self.removed.add(path)
        self.written.discard(path)

    def catch_up(self, paths: Iterable[str]) -> None:
        """Staging holds the generation before the output: make these paths (the last build's changes)
        as the output has them, except those this build wrote or dropped."""
        for path in sorted(set(paths) - self.written - self.removed):
            target, current = _inside(self.folder, path), _inside(self.out, path)
            if os.path.lexists(current):
                self._folder_for(target)
                _link_current(current, target)
            else:
                _remove(target)
                self._emptied.add(os.path.dirname(target))
        _prune_emptied(self._emptied, str(self.folder))

    def mirror(self, files: set[str]) -> None:
        """Make staging hold exactly `files` (every file of the new site): those this build did not
        write are linked from the output; anything else goes."""
        for path in sorted(files - self.written - self.removed):
            current, target = _inside(self.out, path), _inside(self.folder, path)
            if os.path.lexists(current):
                self._folder_for(target)
                _link_current(current, target)
        _prune(str(self.folder), "", files | self.written)

    def swap(self) -> list[str]:
        """Put the new site in place of the output; the paths it added, changed or removed, sorted."""
        _swap(self.folder, self.out)
        self.identity = _identity(self.folder) if self.folder.exists() else ""
        return sorted(self.written | self.removed)

    def settle(self) -> None:
        """The builder has recorded this build: staging is the generation before the output again."""
        self.marker.unlink(missing_ok=True)

    def discard(self) -> None:
        """After a failed build: the output stays as it was; a staging folder this build made goes."""
        if self.is_new:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _folder_for(self, target: str) -> None:
        folder = os.path.dirname(target)
        if folder not in self._made_folders:
            _make_folder(folder, str(self.folder))
            self._made_folders.add(folder)


def _identity(folder: Path) -> str:
    status = os.stat(folder)
    return f"{status.st_dev}:{status.st_ino}"


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


def _prune_emptied(folders: set[str], staging: str) -> None:
    """Remove each of `folders` that is empty, then its parents while they are, up to `staging`
    (only where files went: walking every folder of a large site costs a scandir each)."""
    for folder in sorted(folders, key=len, reverse=True):  # the deepest first
        while folder != staging and folder.startswith(staging + os.sep):
            try:
                os.rmdir(folder)  # fails unless empty
            except OSError:
                break
            folder = os.path.dirname(folder)


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
