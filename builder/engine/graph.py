"""What each result read: the dependency graph that lets a rebuild redo only what a change reaches.

Values have names and fingerprints (a hash of what they are): a file's bytes, one entry of a registry,
what an index page shows of an article. A node is a result the build keeps (an output file, a check);
it records the names it read when it was made. A build works out which names changed since the last
one, and redoes exactly the nodes that read any of them: `readers(changed)`. A value recomputed to the
same fingerprint is not a change, so nothing that read it is redone ("early cutoff", as in Salsa).

Every node also has a recipe and a stamp, opaque strings for its maker: what the node was made as
(to make it again when what it read changes), and how to tell whether the result is still where
the maker left it (for an output file: size, mtime and inode).
"""

from __future__ import annotations

from typing import Iterable, Mapping

from .state import State

_BATCH = 500  # names per query: SQLite's limit on parameters is far above it


class Graph:
    """The fingerprints, reads and nodes of one build state."""

    def __init__(self, state: State) -> None:
        self.db = state.db

    # Fingerprints

    def fingerprints(self, names: Iterable[str]) -> dict[str, str]:
        """The stored fingerprint of each name that has one."""
        found: dict[str, str] = {}
        for batch in _batches(names):
            found.update(self.db.execute(f"SELECT name, fp FROM fingerprints WHERE name IN ({_marks(batch)})", batch))
        return found

    def fingerprints_under(self, prefix: str) -> dict[str, str]:
        """Every stored fingerprint whose name starts with `prefix`."""
        return dict(self.db.execute("SELECT name, fp FROM fingerprints WHERE name >= ? AND name < ?",
                                    (prefix, prefix + "\U0010ffff")))

    def update(self, values: Mapping[str, str]) -> set[str]:
        """Store these fingerprints; return the names whose fingerprint is new or different."""
        stored = self.fingerprints(values)
        changed = {name for name, fp in values.items() if stored.get(name) != fp}
        self.db.executemany("INSERT OR REPLACE INTO fingerprints (name, fp) VALUES (?, ?)",
                            [(name, values[name]) for name in sorted(changed)])
        return changed

    def replace_under(self, prefix: str, values: Mapping[str, str]) -> set[str]:
        """Make `values` the fingerprints of every name under `prefix`: the others are removed.
        Returns the names changed, added or removed."""
        stored = self.fingerprints_under(prefix)
        removed = set(stored) - set(values)
        self.remove(removed)
        changed = {name for name, fp in values.items() if stored.get(name) != fp}
        self.db.executemany("INSERT OR REPLACE INTO fingerprints (name, fp) VALUES (?, ?)",
                            [(name, values[name]) for name in sorted(changed)])
        return changed | removed

    def remove(self, names: Iterable[str]) -> None:
        self.db.executemany("DELETE FROM fingerprints WHERE name = ?", [(name,) for name in sorted(names)])

    # Reads

    def record(self, node: str, names: Iterable[str], recipe: str = "") -> None:
        """`node` was made (again), as `recipe`, from `names`. Its stamp stays as it was (a new node's is
        '' until restamp())."""
        self.db.execute("DELETE FROM reads WHERE node = ?", (node,))
        self.db.executemany("INSERT OR IGNORE INTO reads (node, name) VALUES (?, ?)", [(node, name) for name in names])
        self.db.execute("INSERT INTO nodes (node, stamp, recipe) VALUES (?, '', ?) "
                        "ON CONFLICT (node) DO UPDATE SET recipe = excluded.recipe", (node, recipe))

    def restamp(self, node: str, stamp: str) -> None:
        """The node's result is as it was, but kept under another stamp (an output file linked anew)."""
        self.db.execute("UPDATE nodes SET stamp = ? WHERE node = ?", (stamp, node))

    def reads(self, node: str) -> set[str]:
        return {name for (name,) in self.db.execute("SELECT name FROM reads WHERE node = ?", (node,))}

    def readers(self, names: Iterable[str]) -> set[str]:
        """The nodes that read any of `names`."""
        found: set[str] = set()
        for batch in _batches(names):
            found.update(node for (node,) in self.db.execute(
                f"SELECT DISTINCT node FROM reads WHERE name IN ({_marks(batch)})", batch))
        return found

    def is_read(self, name: str, by_prefix: str = "") -> bool:
        """Whether any node (whose name starts with `by_prefix`) reads `name`."""
        row = self.db.execute("SELECT 1 FROM reads WHERE name = ? AND node >= ? AND node < ? LIMIT 1",
                              (name, by_prefix, by_prefix + "\U0010ffff")).fetchone()
        return row is not None

    # Nodes

    def nodes(self, prefix: str = "") -> dict[str, str]:
        """node -> stamp of every node (whose name starts with `prefix`)."""
        return dict(self.db.execute("SELECT node, stamp FROM nodes WHERE node >= ? AND node < ?",
                                    (prefix, prefix + "\U0010ffff")))

    def recipes(self, nodes: Iterable[str]) -> dict[str, str]:
        """node -> what it was made as, for each of `nodes` that exists."""
        found: dict[str, str] = {}
        for batch in _batches(nodes):
            found.update(self.db.execute(f"SELECT node, recipe FROM nodes WHERE node IN ({_marks(batch)})", batch))
        return found

    def forget(self, nodes: Iterable[str]) -> None:
        """These nodes no longer exist."""
        rows = [(node,) for node in sorted(nodes)]
        self.db.executemany("DELETE FROM reads WHERE node = ?", rows)
        self.db.executemany("DELETE FROM nodes WHERE node = ?", rows)


def _batches(names: Iterable[str]) -> Iterable[list[str]]:
    names = list(names)
    for start in range(0, len(names), _BATCH):
        yield names[start:start + _BATCH]


def _marks(batch: list[str]) -> str:
    return ",".join("?" * len(batch))
