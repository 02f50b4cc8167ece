"""Files -> the hashes of their bytes, reading only the files whose stat changed.

For every file it has hashed, the store keeps (size, mtime, inode, ctime) -> BLAKE2b of its bytes and
when the hash was taken; a file whose stat is the same is not read again. A file modified within
RACY_SECONDS of its hashing is hashed anyway ("racy clean", as in git): its mtime cannot tell an edit
made in that instant from the original.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from typing import Mapping

from .store import Store, content_hash

RACY_SECONDS = 2.0


def hash_files(files: Mapping[str, str], store: Store) -> dict[str, str]:
    """label -> hash of the bytes of each regular file among `files` (label -> path); missing ones are left out."""
    known = _known_stamps(store)
    now_ns = time.time_ns()
    racy_ns = int(RACY_SECONDS * 1e9)
    hashes: dict[str, str] = {}
    changed: list[tuple] = []
    for label, path in files.items():
        try:
            status = os.stat(path)
        except FileNotFoundError:  # a dangling link, or deleted since the listing: not an input
            continue
        if not stat.S_ISREG(status.st_mode):
            continue
        stamp = (status.st_size, status.st_mtime_ns, status.st_ino, status.st_ctime_ns)
        previous = known.get(label)
        if previous is not None and previous[:4] == stamp and max(stamp[1], stamp[3]) < previous[5] - racy_ns:
            hashes[label] = previous[4]
            continue
        with open(path, "rb") as stream:
            file_hash = content_hash(stream.read())
        hashes[label] = file_hash
        changed.append((label, *stamp, file_hash, now_ns))  # trusted from RACY_SECONDS after now
    gone = [(label,) for label in known if label not in files]
    _save_stamps(store, changed, gone)
    return hashes


def _known_stamps(store: Store) -> dict[str, tuple]:
    if not store.reading:
        return {}
    try:
        rows = store.connection.execute("SELECT label, size, mtime_ns, inode, ctime_ns, hash, hashed_at FROM stamps").fetchall()
    except sqlite3.Error:  # no table yet (a new store), or a damaged one: every file is read
        return {}
    return {label: tuple(rest) for label, *rest in rows}


def _save_stamps(store: Store, changed: list[tuple], gone: list[tuple]) -> None:
    if not changed and not gone:
        return
    try:
        db = store.connection
        with db:
            db.execute("CREATE TABLE IF NOT EXISTS stamps (label TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
                       "inode INTEGER, ctime_ns INTEGER, hash TEXT, hashed_at INTEGER)")
            db.executemany("INSERT OR REPLACE INTO stamps VALUES (?, ?, ?, ?, ?, ?, ?)", changed)
            db.executemany("DELETE FROM stamps WHERE label = ?", gone)
    except sqlite3.Error as error:  # only speed is lost: the files are read again next time
        store.problems.append(f"could not keep the file stamps ({error})")
