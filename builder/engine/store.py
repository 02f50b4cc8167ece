"""The store: results keyed by what they were computed from, checked before use.

One SQLite file, `<site>/.digest-cache/store.sqlite`, shared by every build of a site (`digest build`
and `digest serve` alike). It holds facts: a blob is named after the hashes of everything it was made
from (`task:<key>`), so it is right whenever it is found, and a failed build may keep what it computed.
What the last successful build into one output folder consists of is kept elsewhere (state.py).

Each blob is stored with a keyed BLAKE2b MAC; the key is random and kept outside the site, in the user's
cache folder. A truncated or corrupted file, a blob whose MAC does not match, or a store copied from
another machine is detected before anything is unpickled: the store is then ignored and started anew,
and what it would have held is computed again.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import secrets
import sqlite3
from pathlib import Path
from typing import Any, Iterable

SCHEMA = 2
FLUSH_BYTES = 16 << 20  # written in batches: memory stays small, and a crash loses little


def content_hash(*parts: bytes | str) -> str:
    """BLAKE2b of the parts; their repr keeps ('ab', 'c') and ('a', 'bc') apart."""
    if len(parts) == 1 and isinstance(parts[0], bytes):
        return hashlib.blake2b(parts[0], digest_size=20).hexdigest()
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


class Store:
    """Named, verified blobs. Writes are buffered and flushed in batches; every flush commits."""

    def __init__(self, path: Path, code_version: str, fresh: bool = False) -> None:
        """`code_version` names the code that pickles the blobs (others may not load); `fresh`
        reads nothing stored (a clean build) but still writes."""
        self.path = path
        self.code_version = code_version
        self.problems: list[str] = []  # what was found wrong and ignored, for tests and --verbose
        self._key = mac_key()
        self._reading = not fresh
        self._written: set[str] = set()  # what this store wrote: readable even when fresh
        self._pending: dict[str, tuple[str, bytes]] = {}
        self._pending_bytes = 0
        self._db: sqlite3.Connection | None = None
        if path.is_file():
            try:
                self._db = _connect(path)
                if _meta(self._db, "schema") != SCHEMA or _meta(self._db, "code") != code_version:
                    raise sqlite3.DatabaseError("written by another version of the builder")
            except (sqlite3.Error, ValueError) as error:
                self._ignore(f"unreadable store ({error})")

    @property
    def reading(self) -> bool:
        """Whether what is stored may be used (False for a clean build, or once the store proved bad)."""
        return self._reading and self._db is not None

    @property
    def connection(self) -> sqlite3.Connection:
        """The database, created if need be: for engine modules that keep tables of their own (scan.py)."""
        if self._db is None:
            self._db = self._create()
        return self._db

    def get(self, name: str) -> Any | None:
        """The blob stored under `name`, or None if absent or not exactly what was written."""
        return self.get_many([name]).get(name)

    def get_many(self, names: Iterable[str]) -> dict[str, Any]:
        """get() for many names, a batch of queries at a time."""
        found: dict[str, Any] = {}
        wanted = []
        for name in dict.fromkeys(names):
            if name in self._pending:
                found[name] = self._load(name, *self._pending[name])
            elif self._reading or name in self._written:
                wanted.append(name)
        if not wanted or self._db is None:
            return {name: value for name, value in found.items() if value is not None}
        for start in range(0, len(wanted), 500):  # only one batch's bytes are held at once
            batch = wanted[start:start + 500]
            try:
                rows = self._db.execute(f"SELECT name, mac, data FROM blobs WHERE name IN ({','.join('?' * len(batch))})",
                                        batch).fetchall()
            except sqlite3.Error as error:
                self._ignore(f"unreadable store ({error})")
                break
            for name, mac, data in rows:
                found[name] = self._load(name, mac, data)
                if self._db is None:  # that blob was bad: nothing more is trusted
                    return {}
        return {name: value for name, value in found.items() if value is not None}

    def present(self, names: Iterable[str]) -> set[str]:
        """Which of `names` are stored (not yet verified: get() does that)."""
        names = [name for name in dict.fromkeys(names) if self._reading or name in self._written or name in self._pending]
        found = {name for name in names if name in self._pending}
        if self._db is None:
            return found
        for start in range(0, len(names), 500):
            batch = names[start:start + 500]
            try:
                found.update(name for (name,) in self._db.execute(
                    f"SELECT name FROM blobs WHERE name IN ({','.join('?' * len(batch))})", batch))
            except sqlite3.Error as error:
                self._ignore(f"unreadable store ({error})")
                return found
        return found

    def put(self, name: str, value: Any) -> None:
        """Store `value` under `name` (pickled now; written at the next flush)."""
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        self._pending[name] = (self._mac(name, data), data)
        self._pending_bytes += len(data)
        if self._pending_bytes >= FLUSH_BYTES:
            self.flush()

    def delete(self, names: Iterable[str]) -> None:
        names = list(names)
        for name in names:
            self._pending.pop(name, None)
        if names and self._db is not None:
            try:
                with self._db:
                    self._db.executemany("DELETE FROM blobs WHERE name = ?", [(name,) for name in names])
            except sqlite3.Error as error:
                self._ignore(f"could not write the store ({error})")

    def flush(self) -> None:
        """Write the pending blobs in one transaction. A store that cannot be written only costs speed."""
        if not self._pending:
            return
        try:
            db = self.connection
            with db:
                db.executemany("INSERT OR REPLACE INTO blobs (name, mac, data) VALUES (?, ?, ?)",
                               [(name, mac, data) for name, (mac, data) in self._pending.items()])
            self._written.update(self._pending)
        except sqlite3.Error as error:
            self._ignore(f"could not write the store ({error})")
        self._pending.clear()
        self._pending_bytes = 0

    def close(self) -> None:
        """Flush, then close the file."""
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None

    def _load(self, name: str, mac: Any, data: Any) -> Any | None:
        if not isinstance(data, bytes) or not hmac.compare_digest(str(mac), self._mac(name, data)):
            self._ignore(f"blob '{name}' does not match its MAC")
            return None
        try:
            return pickle.loads(data)
        except Exception as error:  # noqa: BLE001 - any failure means "not usable", never "trusted"
            self._ignore(f"blob '{name}' cannot be loaded ({type(error).__name__}: {error})")
            return None

    def _create(self) -> sqlite3.Connection:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = _connect(self.path)
        with db:
            db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value)")
            db.execute("CREATE TABLE blobs (name TEXT PRIMARY KEY, mac TEXT NOT NULL, data BLOB NOT NULL)")
            db.executemany("INSERT INTO meta (name, value) VALUES (?, ?)", [("schema", SCHEMA), ("code", self.code_version)])
        self._reading = True  # what this store holds from now on was written by this build
        return db

    def _ignore(self, problem: str) -> None:
        """Forget what is stored: nothing more is read from it, and the next write starts a new file."""
        self.problems.append(problem)
        if self._db is not None:
            self._db.close()
        self._db = None
        self._reading = False
        self._written.clear()

    def _mac(self, name: str, data: bytes) -> str:
        return hashlib.blake2b(name.encode("utf-8") + b"\0" + data, key=self._key, digest_size=20).hexdigest()


def _connect(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=60)
    db.execute("PRAGMA journal_mode = TRUNCATE")
    # A cache: a commit must be atomic, not durable (after a power cut the build is merely full).
    db.execute("PRAGMA synchronous = OFF")
    return db


def _meta(db: sqlite3.Connection, name: str) -> Any:
    row = db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def mac_key() -> bytes:
    """This user's key for the store's MACs, created on first use; a random one per run if it cannot be kept."""
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
        try:
            os.link(temporary, key_path)  # only if there is none: builds started together agree on the first key
        except FileExistsError:
            if len(key_path.read_bytes()) != 32:
                os.replace(temporary, key_path)  # a damaged key is replaced
        temporary.unlink(missing_ok=True)
        return key_path.read_bytes()
    except OSError:
        return key
