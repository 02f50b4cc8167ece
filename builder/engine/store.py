"""The build cache: what earlier builds computed, keyed by content hashes, and checked before use.

It lives in the site's hidden `.digest-cache/` folder (safe to delete, and to leave out of version
control); `digest build --clean` ignores what it holds. It is one SQLite file of named blobs:

- `inputs`: for every input file, (size, mtime, inode, ctime) -> BLAKE2b of its bytes, so that an
  unchanged file is stat-ed, not read. A file whose mtime is within two seconds of the moment the
  cache was written is hashed anyway ("racy clean", as in git): its mtime cannot tell an edit from
  the original.
- `article:<key>`: one article's load and anchoring results with their diagnostics, where the key
  hashes the builder's code, the site configuration and the article's two files. Diagnostics are
  replayed on every build, so an error is never hidden by the cache.
- `build:<out>`: the last successful build into that output folder: its input key, its summary and
  what each output file holds (see graph.py).

Each blob is stored with a keyed BLAKE2b MAC; the key is random and kept outside the site, in the
user's cache folder. A truncated or corrupted file, a blob whose MAC does not match, or a cache copied
from another machine is detected before anything is unpickled and ignored: the build is then full.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import pickle
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, NamedTuple

CACHE_DIR = ".digest-cache"
CACHE_FILE = "cache.sqlite"
SCHEMA = 1
RACY_SECONDS = 2.0


def content_hash(*parts: bytes | str) -> str:
    """BLAKE2b of the parts; their repr keeps ('ab', 'c') and ('a', 'bc') apart."""
    if len(parts) == 1 and isinstance(parts[0], bytes):
        return hashlib.blake2b(parts[0], digest_size=20).hexdigest()
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


# Stamps and page records are named tuples, not dataclasses: a no-change build loads tens of
# thousands of them, and tuples unpickle several times faster.
class FileStamp(NamedTuple):
    size: int
    mtime_ns: int
    inode: int
    ctime_ns: int

    @classmethod
    def of(cls, stat: os.stat_result) -> "FileStamp":
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


class BuildCache:
    """Named blobs in `<site>/.digest-cache/cache.sqlite`; reads are verified, writes wait for commit()."""

    def __init__(self, site_root: Path, ignore_existing: bool = False) -> None:
        """`ignore_existing`: read nothing stored (a clean build); commit() still adds to the file."""
        self.folder = site_root / CACHE_DIR
        self.path = self.folder / CACHE_FILE
        self.written_at = time.time()
        self.pending: dict[str, Any] = {}
        self.problems: list[str] = []  # what was found wrong and ignored, for tests and --verbose
        self._key = _mac_key()
        self._db: sqlite3.Connection | None = None
        self._reading = not ignore_existing
        if not self.path.is_file():
            return
        try:
            self._db = sqlite3.connect(self.path)
            row = self._db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if row is None or row[0] != SCHEMA:
                raise sqlite3.DatabaseError("unknown schema")
            row = self._db.execute("SELECT value FROM meta WHERE name = 'code'").fetchone()
            if row is None or row[0] != code_version():
                raise sqlite3.DatabaseError("written by another version of the builder")
            written = self._db.execute("SELECT value FROM meta WHERE name = 'written_at'").fetchone()
            self.written_at = float(written[0]) if written and self._reading else 0.0
        except (sqlite3.Error, ValueError, TypeError) as error:
            self._ignore(f"unreadable cache ({error})")

    def get(self, name: str) -> Any | None:
        """The blob stored under `name`, or None if absent or not exactly what was written."""
        if name in self.pending:
            return self.pending[name]
        if self._db is None or not self._reading:
            return None
        try:
            row = self._db.execute("SELECT mac, data FROM blobs WHERE name = ?", (name,)).fetchone()
        except sqlite3.Error as error:
            self._ignore(f"unreadable cache ({error})")
            return None
        if row is None:
            return None
        mac, data = row
        if not isinstance(data, bytes) or not hmac.compare_digest(str(mac), self._mac(name, data)):
            self._ignore(f"blob '{name}' does not match its MAC")
            return None
        return self._unpickle(name, data)

    def _unpickle(self, name: str, data: bytes) -> Any | None:
        try:
            return pickle.loads(data)
        except Exception as error:  # noqa: BLE001 - any failure means "not usable", never "trusted"
            self._ignore(f"blob '{name}' cannot be loaded ({type(error).__name__}: {error})")
            return None

    def get_many(self, names: Iterable[str]) -> dict[str, Any]:
        """get() for many names in one query."""
        names = list(names)
        wanted = [n for n in dict.fromkeys(names) if n not in self.pending]
        found = {n: self.pending[n] for n in names if n in self.pending}
        if self._db is None or not wanted or not self._reading:
            return found
        for start in range(0, len(wanted), 500):  # a batch at a time: only its bytes are held at once
            batch = wanted[start:start + 500]
            try:
                rows = self._db.execute(f"SELECT name, mac, data FROM blobs WHERE name IN ({','.join('?' * len(batch))})",
                                        batch).fetchall()
            except sqlite3.Error as error:
                self._ignore(f"unreadable cache ({error})")
                return {n: self.pending[n] for n in names if n in self.pending}
            for name, mac, data in rows:
                value = None
                if isinstance(data, bytes) and hmac.compare_digest(str(mac), self._mac(name, data)):
                    value = self._unpickle(name, data)
                else:
                    self._ignore(f"blob '{name}' does not match its MAC")
                if value is None:
                    return {n: self.pending[n] for n in names if n in self.pending}
                found[name] = value
        return found

    def put(self, name: str, value: Any) -> None:
        """Store `value` under `name` at the next commit()."""
        self.pending[name] = value

    def commit(self, keep_prefixes: tuple[str, ...] = ("article:", "body:", "export:"), keep: set[str] | None = None,
               inputs_hashed: bool = True) -> None:
        """Write pending blobs in one transaction; drop blobs named with `keep_prefixes` that are not in `keep`.

        `inputs_hashed=False` for blobs that are not about the inputs (the link checker's answers): the
        time the racy-clean check measures from (`written_at`) then stays that of the last hashing.
        """
        self.folder.mkdir(exist_ok=True)
        self._write_ignore_file()
        try:
            db = self._db if self._db is not None else self._create()
            with db:
                # A generator: one pickle at a time, not all of them in memory at once.
                db.executemany("INSERT OR REPLACE INTO blobs (name, mac, data) VALUES (?, ?, ?)",
                               ((name, self._mac(name, data), data) for name, data in
                                ((n, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for n, v in self.pending.items())))
                if keep is not None:
                    stored = [row[0] for prefix in keep_prefixes
                              for row in db.execute("SELECT name FROM blobs WHERE name LIKE ?", (prefix + "%",))]
                    db.executemany("DELETE FROM blobs WHERE name = ?", [(n,) for n in stored if n not in keep])
                if inputs_hashed:
                    db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('written_at', ?)", (repr(time.time()),))
            self.pending.clear()
        except sqlite3.Error as error:
            # A cache that cannot be written only costs speed next time; the build itself succeeded.
            self.problems.append(f"could not write the cache ({error})")
            self.close()
            self._remove()

    def close(self) -> None:
        """Close the file; uncommitted blobs are dropped."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def _create(self) -> sqlite3.Connection:
        self._remove()
        db = sqlite3.connect(self.path)
        with db:
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value)")
            db.execute("CREATE TABLE blobs (name TEXT PRIMARY KEY, mac TEXT NOT NULL, data BLOB NOT NULL)")
            db.execute("INSERT INTO meta (name, value) VALUES ('schema', ?)", (SCHEMA,))
            db.execute("INSERT INTO meta (name, value) VALUES ('code', ?)", (code_version(),))
        self._db = db
        return db

    def _ignore(self, problem: str) -> None:
        """Forget the stored cache: nothing more is read from it, and commit() starts a new one."""
        self.problems.append(problem)
        self.close()
        self.written_at = 0.0

    def _remove(self) -> None:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _mac(self, name: str, data: bytes) -> str:
        return hashlib.blake2b(name.encode("utf-8") + b"\0" + data, key=self._key, digest_size=20).hexdigest()

    def _write_ignore_file(self) -> None:
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# digest's build cache: safe to delete\n*\n", encoding="utf-8")


class OutputStamp(NamedTuple):
    """What an output file looked like when written; hard links change ctime, so it is left out."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: str | Path) -> "OutputStamp | None":
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino)


class PageRecord(NamedTuple):
    key: str
    lookups: tuple[tuple[str, str, str], ...]  # (registry, id, hash of the entry when rendered)
    stamp: OutputStamp | None


@dataclass(frozen=True)
class BuildRecord:
    """The last successful build into one output folder."""

    build_key: str  # every input, hashed: equal means the output is already right
    summary: Any
    pages: dict[str, PageRecord]  # output path -> record; static files have no key
    index_state: str = ""  # graph.index_state(): equal means every index page has the same key


@functools.cache
def code_version() -> str:
    """A hash of the builder's own source: blobs pickled by other code may not load the same."""
    package = Path(__file__).resolve().parent.parent
    return content_hash(*(path.read_bytes() for path in sorted(package.rglob("*.py"))))


def _mac_key() -> bytes:
    """This user's cache key, created on first use; a random one per run if it cannot be kept."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "digest"
    key_path = home / "cache-key"
    try:
        key = key_path.read_bytes()
        if len(key) == 32:
            return key
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        home.mkdir(parents=True, exist_ok=True)
        temporary = key_path.with_name(f"cache-key.{os.getpid()}")
        temporary.write_bytes(key)
        os.chmod(temporary, 0o600)
        os.replace(temporary, key_path)
        return key_path.read_bytes()
    except OSError:
        return key
