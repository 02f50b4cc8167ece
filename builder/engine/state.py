"""The state of one output folder as the last successful build left it, changed in one transaction per build.

Where the store (store.py) keeps facts, true whenever found, the state keeps what one build decided:
the fingerprint of every value it used, what each of its results read (graph.py), ordered lists of
members (ordered.py). A build works inside one SQLite transaction and commits it only once its output
is in place, so the state never describes an output that does not exist; a failed or interrupted
build leaves it as it was. One file per output folder (`<site>/.digest-cache/state-<hash>.sqlite`), so
a preview server and `digest build` into public/ each keep their own.

The file holds strings and numbers only (nothing is unpickled from it). A state written by another
version of the code, or under another machine's key (a copied cache), is not used: the build is then full.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

SCHEMA = 1

_TABLES = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
    "CREATE TABLE fingerprints (name TEXT PRIMARY KEY, fp TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE reads (node TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (node, name)) WITHOUT ROWID",
    "CREATE INDEX reads_by_name ON reads (name)",
    "CREATE TABLE nodes (node TEXT PRIMARY KEY, stamp TEXT NOT NULL, recipe TEXT NOT NULL) WITHOUT ROWID",
    "CREATE TABLE members (list TEXT NOT NULL, sort TEXT NOT NULL, member TEXT NOT NULL, owner TEXT NOT NULL, "
    "payload BLOB, PRIMARY KEY (list, sort, member)) WITHOUT ROWID",
    "CREATE INDEX members_by_owner ON members (owner)",
)


class State:
    """One build's view of the state: read as the last build left it, written as this one goes, then committed."""

    def __init__(self, path: Path, code_version: str, key: bytes, fresh: bool = False) -> None:
        """`key` (the store's MAC key) ties the file to this user; `fresh` starts from nothing (a clean build)."""
        self.path = path
        self.identity = hashlib.blake2b(f"state {SCHEMA} {code_version}".encode(), key=key, digest_size=20).hexdigest()
        self.problems: list[str] = []
        self._replacing: Path | None = None  # a new file, renamed over `path` when this build commits
        self.db = self._open(fresh)
        self.is_new = self._replacing is not None
        self.db.execute("BEGIN IMMEDIATE")
        self._in_transaction = True

    def _open(self, fresh: bool) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not fresh and self.path.is_file():
            try:
                db = _connect(self.path)
                row = db.execute("SELECT value FROM meta WHERE name = 'identity'").fetchone()
                if row is not None and row[0] == self.identity:
                    return db
                db.close()
                self.problems.append("the build state was written by other code or on another machine: not used")
            except sqlite3.Error as error:
                self.problems.append(f"unreadable build state ({error}): not used")
        # A new state is made beside the old one: until this build commits, the old file (and the
        # output it describes) stays as it was.
        self._replacing = self.path.with_name(self.path.name + ".new")
        for suffix in ("", "-journal"):
            Path(f"{self._replacing}{suffix}").unlink(missing_ok=True)
        db = _connect(self._replacing)
        for statement in _TABLES:
            db.execute(statement)
        db.execute("INSERT INTO meta (name, value) VALUES ('identity', ?)", (self.identity,))
        return db

    def commit(self) -> None:
        """Make this build's changes the state (call once its output is in place)."""
        self.db.commit()
        self._in_transaction = False
        if self._replacing is not None:
            self.db.close()
            self._replacing.replace(self.path)
            self._replacing = None
            self.db = _connect(self.path)

    def close(self) -> None:
        """Close; a build that did not commit leaves the state as it was."""
        if self._in_transaction:
            self.db.rollback()
            self._in_transaction = False
        self.db.close()
        if self._replacing is not None:
            self._replacing.unlink(missing_ok=True)


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60, isolation_level=None)  # transactions are begun by hand
    db.execute("PRAGMA journal_mode = TRUNCATE")
    # A cache: a commit must be atomic, not durable (after a power cut the build is merely full).
    db.execute("PRAGMA synchronous = OFF")
    db.execute("PRAGMA cache_size = -65536")  # 64 MiB of pages: a large digest's lists stay in memory
    return db
