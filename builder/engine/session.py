"""One build's engine: the site's store, the state of its output folder, and the views over them.

    with Session.open(cache_folder, state_name, code_version) as session:
        ...                      # read and change session.graph, session.lists, session.memo(kind)
        session.commit()         # once the output is in place; otherwise the state stays as it was

The store keeps what it was given even when the build fails: its blobs are facts (store.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .graph import Graph
from .memo import Memo
from .ordered import OrderedLists
from .state import State
from .store import Store, mac_key

STORE_FILE = "store.sqlite"


@dataclass
class Session:
    store: Store
    state: State
    graph: Graph
    lists: OrderedLists

    @classmethod
    def open(cls, folder: Path, state_name: str, code_version: str, fresh: bool = False) -> "Session":
        """The store in `folder` and the state file `state_name` there; `fresh` uses neither's contents."""
        store = Store(folder / STORE_FILE, code_version, fresh=fresh)
        state = State(folder / state_name, code_version, mac_key(), fresh=fresh)
        return cls(store, state, Graph(state), OrderedLists(state))

    def memo(self, kind: str) -> Memo[Any]:
        return Memo(self.store, kind)

    @property
    def problems(self) -> list[str]:
        """What was found wrong with the cache and ignored."""
        return self.store.problems + self.state.problems

    def commit(self) -> None:
        self.store.flush()
        self.state.commit()

    def close(self) -> None:
        """Keep the store's new facts; drop the state's changes unless committed."""
        self.store.close()
        self.state.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
