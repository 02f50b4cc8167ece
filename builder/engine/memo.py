"""Memoised computations: key -> (value, diagnostics), computed once per key and replayed while it holds.

A key is a hash of everything the computation reads, so a stored result is right whenever it is
found; its diagnostics (errors and warnings about its inputs) are stored with it and handed back on
every use, so a problem is never hidden by the cache. `map` looks up many keys at once and computes
the missing ones on any Executor, in chunks, giving results in the order asked for.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Callable, Generic, Iterator, Sequence, TypeVar

from .parallel import ordered_map
from .store import Store

T = TypeVar("T")


@dataclass(frozen=True)
class Memoised(Generic[T]):
    value: T
    diagnostics: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Computed(Generic[T]):
    """What `map` gives for each key: the memoised result, and whatever the computation returned
    beside it that is not kept (None when the result came from the store)."""

    key: str
    result: Memoised[T]
    computed: bool = False  # False: found in the store
    transient: Any = None


class Memo(Generic[T]):
    """The memoised results of one kind of computation, in a store."""

    def __init__(self, store: Store, kind: str) -> None:
        self.store = store
        self.kind = kind

    def name(self, key: str) -> str:
        return f"{self.kind}:{key}"

    def get(self, key: str) -> Memoised[T] | None:
        found = self.store.get(self.name(key))
        return found if isinstance(found, Memoised) else None

    def put(self, key: str, result: Memoised[T]) -> None:
        self.store.put(self.name(key), result)

    def forget(self, keys: Sequence[str]) -> None:
        self.store.delete([self.name(key) for key in keys])

    def map(self, compute_chunk: Callable[[list[Any]], list[tuple[Memoised[T], Any]]],
            jobs: Sequence[tuple[str, Callable[[], Any]]], executor: Executor | None,
            chunk_size: int = 16) -> Iterator[Computed[T]]:
        """For each (key, make) job, in order: the stored result, or `compute_chunk` run over the
        arguments of a chunk of missing jobs (on `executor` if given), each giving (Memoised, transient).
        `make()` gives a job's arguments only when its chunk is sent: they may be large (file contents)."""
        present = self.store.present(self.name(key) for key, _ in jobs)
        missing = [(key, make) for key, make in jobs if self.name(key) not in present]
        chunks = [missing[i:i + chunk_size] for i in range(0, len(missing), chunk_size)]
        computed = ordered_map(executor, compute_chunk, (([make() for _, make in chunk],) for chunk in list(chunks)))
        pending: dict[str, tuple[Memoised[T], Any]] = {}
        for key, make in jobs:
            if self.name(key) in present:
                found = self.get(key)
                if found is not None:
                    yield Computed(key, found)
                    continue
                # Stored, but not usable after all (the store proved damaged): computed here and now.
                result, transient = compute_chunk([make()])[0]
            else:
                while key not in pending:  # the next chunk of computed results holds it
                    chunk = chunks.pop(0)
                    for (chunk_key, _), outcome in zip(chunk, next(computed)):
                        pending[chunk_key] = outcome
                result, transient = pending.pop(key)
            self.put(key, result)
            yield Computed(key, result, True, transient)
