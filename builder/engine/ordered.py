"""Ordered lists kept in the build state, changed a few members at a time.

A list is a name and members in the order of their sort keys (strings); each member belongs to an
owner (what put it there), may carry a payload (bytes), and is replaced whole when its owner changes:
`replace(owner, rows)` removes the owner's old members and adds the new ones, and says which lists
changed and where. A rebuild after k owners changed does work in proportion to k (and to the log of
the lists' lengths), however long the lists are: they stay on disk, indexed, and are read a slice at a time.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Iterable, NamedTuple

from .state import State


BULK = 8  # beyond this many look-ups in one list, it is read whole once


class Member(NamedTuple):
    list: str
    sort: str
    member: str
    payload: bytes | None = None


@dataclass(frozen=True)
class ListChange:
    """Where a list changed: the sort keys of members that came, went or changed their payload."""

    list: str
    sorts: tuple[str, ...]


class OrderedLists:
    def __init__(self, state: State) -> None:
        self.db = state.db

    def replace(self, owner: str, rows: Iterable[Member]) -> list[ListChange]:
        """Make `rows` the owner's members, in whatever lists they name; return where lists changed."""
        old = {(m.list, m.sort, m.member): m.payload for m in map(Member._make, self.db.execute(
            "SELECT list, sort, member, payload FROM members WHERE owner = ?", (owner,)))}
        new = {(m.list, m.sort, m.member): m.payload for m in rows}
        gone = [key for key in old if key not in new]
        came = [key for key, payload in new.items() if key not in old or old[key] != payload]
        self.db.executemany("DELETE FROM members WHERE list = ? AND sort = ? AND member = ?", gone)
        self.db.executemany("INSERT OR REPLACE INTO members (list, sort, member, owner, payload) VALUES (?, ?, ?, ?, ?)",
                            [(*key, owner, new[key]) for key in came])
        touched: dict[str, set[str]] = {}
        for list_name, sort, _ in (*gone, *came):
            touched.setdefault(list_name, set()).add(sort)
        return [ListChange(name, tuple(sorted(sorts))) for name, sorts in sorted(touched.items())]

    def owners_of(self, list_name: str) -> set[str]:
        return {owner for (owner,) in self.db.execute("SELECT DISTINCT owner FROM members WHERE list = ?", (list_name,))}

    def count(self, list_name: str) -> int:
        return self.db.execute("SELECT COUNT(*) FROM members WHERE list = ?", (list_name,)).fetchone()[0]

    def counts_under(self, prefix: str) -> dict[str, int]:
        """list -> number of members, for every non-empty list whose name starts with `prefix`."""
        return dict(self.db.execute("SELECT list, COUNT(*) FROM members WHERE list >= ? AND list < ? GROUP BY list",
                                    (prefix, prefix + "\U0010ffff")))

    def rank(self, list_name: str, sort: str) -> int:
        """How many members sort before `sort`."""
        return self.db.execute("SELECT COUNT(*) FROM members WHERE list = ? AND sort < ?", (list_name, sort)).fetchone()[0]

    def ranks(self, list_name: str, sorts: Iterable[str]) -> dict[str, int]:
        """rank() of each sort key: a query each for a few, one pass over the list for many."""
        sorts = sorted(set(sorts))
        if len(sorts) <= BULK:
            return {sort: self.rank(list_name, sort) for sort in sorts}
        keys = [key for (key,) in self.db.execute("SELECT sort FROM members WHERE list = ? ORDER BY sort", (list_name,))]
        return {sort: bisect.bisect_left(keys, sort) for sort in sorts}

    def slices(self, list_name: str, bounds: list[tuple[int, int]]) -> list[list[Member]]:
        """slice() for each (start, stop): a query each for a few, one pass over the list for many."""
        if len(bounds) <= BULK:
            return [self.slice(list_name, start, stop) for start, stop in bounds]
        members = self.members(list_name)
        return [members[start:stop] for start, stop in bounds]

    def members(self, list_name: str) -> list[Member]:
        """Every member, in order (for work on much of a list at once)."""
        return [Member._make(row) for row in self.db.execute(
            "SELECT list, sort, member, payload FROM members WHERE list = ? ORDER BY sort, member", (list_name,))]

    def slice(self, list_name: str, start: int, stop: int) -> list[Member]:
        """Members `start` to `stop` (exclusive) in sort order."""
        return [Member._make(row) for row in self.db.execute(
            "SELECT list, sort, member, payload FROM members WHERE list = ? ORDER BY sort, member LIMIT ? OFFSET ?",
            (list_name, max(0, stop - start), start))]

    def payloads(self, list_name: str) -> Iterable[bytes]:
        """Every member's payload, in order (read as the caller consumes them)."""
        for (payload,) in self.db.execute("SELECT payload FROM members WHERE list = ? ORDER BY sort, member",
                                          (list_name,)):
            yield payload
