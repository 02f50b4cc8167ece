"""One build of a site at a time: an exclusive lock on a file, waited for with a word to the user.

Two builds of one site into one output (a preview server and `digest build`, two CI jobs) would
otherwise interleave their writes to the output and to the build state. The lock is an advisory
`flock` on a file in the site's cache folder; the system releases it when its holder exits,
however it exits, so a killed build never leaves it behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Callable, Iterator


@contextlib.contextmanager
def held(path: Path, on_wait: Callable[[str], None] = lambda holder: None) -> Iterator[None]:
    """Hold the lock on `path` for the duration; if another process holds it, call `on_wait` with
    what it wrote about itself, then wait for it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as lock_file:
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.seek(0)
            on_wait(lock_file.read().strip() or "another process")
            fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            lock_file.seek(0)
            lock_file.truncate()
            lock_file.write(f"process {os.getpid()}\n")
            lock_file.flush()
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)
