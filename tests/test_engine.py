"""The incremental engine on its own: store, memo, graph and early cutoff, state transactions, lists, scan, lock."""

from __future__ import annotations

import os
import pickle
import sqlite3
import threading
import time
from pathlib import Path


from builder.engine.graph import Graph
from builder.engine.lock import held
from builder.engine.memo import Memo, Memoised
from builder.engine.ordered import BULK, Member, OrderedLists
from builder.engine.scan import RACY_SECONDS, hash_files
from builder.engine.state import State
from builder.engine import store as store_module
from builder.engine.store import Store, content_hash, mac_key

CODE = "code-1"


def square_chunk(numbers: list[int]) -> list[tuple[Memoised[int], str]]:
    """A computation for Memo.map: the square, a diagnostic, and a transient companion value."""
    square_chunk.calls += len(numbers)
    return [(Memoised(n * n, (f"squared {n}",)), f"made {n}") for n in numbers]


square_chunk.calls = 0


def test_the_store_gives_back_what_it_was_given_across_processes_of_time(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite", CODE)
    store.put("a", {"x": (1, 2)})
    assert store.get("a") == {"x": (1, 2)}  # before the flush too
    store.close()
    again = Store(tmp_path / "store.sqlite", CODE)
    assert again.get("a") == {"x": (1, 2)} and again.get("missing") is None
    assert again.present(["a", "missing"]) == {"a"}


def test_a_blob_that_does_not_match_its_mac_is_ignored_and_the_store_with_it(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite", CODE)
    store.put("a", 1)
    store.put("b", 2)
    store.close()
    with sqlite3.connect(tmp_path / "store.sqlite") as db:
        db.execute("UPDATE blobs SET data = ? WHERE name = 'a'", (pickle.dumps(99),))
    damaged = Store(tmp_path / "store.sqlite", CODE)
    assert damaged.get("a") is None
    assert damaged.get("b") is None  # once one blob is bad, nothing in the file is trusted
    assert damaged.problems == ["blob 'a' does not match its MAC"]
    damaged.put("c", 3)
    damaged.close()
    assert Store(tmp_path / "store.sqlite", CODE).get("c") == 3  # and the next write starts a new file


def test_a_store_written_by_other_code_or_another_user_is_not_read(tmp_path: Path, monkeypatch) -> None:
    store = Store(tmp_path / "store.sqlite", CODE)
    store.put("a", 1)
    store.close()
    assert Store(tmp_path / "store.sqlite", "code-2").get("a") is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-user"))
    assert Store(tmp_path / "store.sqlite", CODE).get("a") is None  # another MAC key: nothing verifies


def test_builds_started_together_on_a_new_machine_agree_on_one_key(tmp_path: Path, monkeypatch) -> None:
    """The first key written wins: a build that made its own meanwhile takes the winner's, not overwriting it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    key_path = tmp_path / "digest" / "cache-key"
    winner = b"w" * 32

    def another_build_writes_first(size: int) -> bytes:  # between this build's look for a key and its write
        key_path.parent.mkdir(parents=True, exist_ok=True)
        key_path.write_bytes(winner)
        return b"m" * size

    monkeypatch.setattr(store_module.secrets, "token_bytes", another_build_writes_first)
    assert mac_key() == winner and key_path.read_bytes() == winner
    assert [p.name for p in key_path.parent.iterdir()] == ["cache-key"]  # no temporary file left


def test_a_fresh_store_reads_nothing_but_keeps_what_it_is_given(tmp_path: Path) -> None:
    store = Store(tmp_path / "store.sqlite", CODE)
    store.put("a", 1)
    store.close()
    fresh = Store(tmp_path / "store.sqlite", CODE, fresh=True)
    assert fresh.get("a") is None and fresh.present(["a"]) == set()
    fresh.put("b", 2)
    fresh.flush()  # what a clean build wrote, it reads back (the build flushes as it goes)
    assert fresh.get_many(["a", "b"]) == {"b": 2} and fresh.present(["a", "b"]) == {"b"}
    fresh.close()
    assert Store(tmp_path / "store.sqlite", CODE).get("b") == 2


def test_memo_computes_each_key_once_and_replays_its_diagnostics(tmp_path: Path) -> None:
    square_chunk.calls = 0
    store = Store(tmp_path / "store.sqlite", CODE)
    memo: Memo[int] = Memo(store, "square")
    jobs = [(f"k{n}", lambda n=n: n) for n in range(5)]
    first = list(memo.map(square_chunk, jobs, None, chunk_size=2))
    assert [c.result.value for c in first] == [0, 1, 4, 9, 16]
    assert [c.transient for c in first] == [f"made {n}" for n in range(5)] and all(c.computed for c in first)
    assert square_chunk.calls == 5
    store.close()
    memo = Memo(Store(tmp_path / "store.sqlite", CODE), "square")
    again = list(memo.map(square_chunk, [*jobs, ("k9", lambda: 9)], None))
    assert square_chunk.calls == 6  # only the new key was computed
    assert [(c.key, c.computed, c.transient) for c in again][-2:] == [("k4", False, None), ("k9", True, "made 9")]
    assert again[3].result.diagnostics == ("squared 3",)  # replayed from the store


def test_memo_results_come_in_the_order_asked_for_on_any_executor(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    memo: Memo[int] = Memo(Store(tmp_path / "store.sqlite", CODE), "square")
    memo.put("k3", Memoised(9))  # one already known, in the middle
    with ThreadPoolExecutor(3) as executor:
        results = list(memo.map(square_chunk, [(f"k{n}", lambda n=n: n) for n in range(7)], executor, chunk_size=2))
    assert [c.key for c in results] == [f"k{n}" for n in range(7)]
    assert [c.result.value for c in results] == [n * n for n in range(7)]


def _state(tmp_path: Path, fresh: bool = False) -> State:
    return State(tmp_path / "state.sqlite", CODE, mac_key(), fresh=fresh)


def test_early_cutoff_a_value_recomputed_to_the_same_fingerprint_redoes_nothing(tmp_path: Path) -> None:
    state = _state(tmp_path)
    graph = Graph(state)
    graph.update({"file:a": content_hash("A"), "listing:a": content_hash("what indexes show of A")})
    graph.record("out:index.html", ["listing:a"])
    graph.record("out:a.html", ["file:a"])
    state.commit()
    state.close()
    state = _state(tmp_path)
    graph = Graph(state)
    # The file changed; what index pages show of it did not.
    changed = graph.update({"file:a": content_hash("A, edited"), "listing:a": content_hash("what indexes show of A")})
    assert changed == {"file:a"}
    assert graph.readers(changed) == {"out:a.html"}  # the index page is not redone
    state.close()


def test_a_node_records_what_it_read_and_forgetting_it_removes_the_reads(tmp_path: Path) -> None:
    graph = Graph(_state(tmp_path))
    graph.record("out:p", ["source:a", "source:b"], "index p")
    graph.record("out:p", ["source:b"], "index p")  # made again: it reads only b now
    assert graph.readers(["source:a"]) == set() and graph.readers(["source:b"]) == {"out:p"}
    assert graph.recipes(["out:p", "out:q"]) == {"out:p": "index p"}
    graph.restamp("out:p", "12:34:56")
    assert graph.nodes("out:") == {"out:p": "12:34:56"}
    graph.forget(["out:p"])
    assert graph.readers(["source:b"]) == set() and graph.nodes() == {}


def test_replace_under_reports_what_came_changed_and_went(tmp_path: Path) -> None:
    graph = Graph(_state(tmp_path))
    graph.replace_under("topic:", {"topic:a": "1", "topic:b": "2"})
    assert graph.replace_under("topic:", {"topic:a": "1", "topic:b": "3", "topic:c": "4"}) == {"topic:b", "topic:c"}
    assert graph.replace_under("topic:", {"topic:c": "4"}) == {"topic:a", "topic:b"}
    assert graph.fingerprints_under("topic:") == {"topic:c": "4"}


def test_a_build_that_does_not_commit_leaves_the_state_as_it_was(tmp_path: Path) -> None:
    state = _state(tmp_path)
    Graph(state).update({"a": "1"})
    state.commit()
    state.close()
    state = _state(tmp_path)
    Graph(state).update({"a": "2", "b": "3"})
    state.close()  # failed or interrupted: no commit
    state = _state(tmp_path)
    assert Graph(state).fingerprints(["a", "b"]) == {"a": "1"}
    assert not state.is_new


def test_a_state_of_other_code_or_a_damaged_one_is_started_anew_and_replaces_the_old_only_on_commit(tmp_path: Path) -> None:
    state = _state(tmp_path)
    Graph(state).update({"a": "1"})
    state.commit()
    state.close()
    other = State(tmp_path / "state.sqlite", "code-2", mac_key())
    assert other.is_new and Graph(other).fingerprints(["a"]) == {}
    other.close()  # not committed: the old state is still there for its own code
    assert Graph(_state(tmp_path)).fingerprints(["a"]) == {"a": "1"}
    (tmp_path / "state.sqlite").write_bytes(b"garbage" * 100)
    damaged = _state(tmp_path)
    assert damaged.is_new and damaged.problems
    damaged.close()


def test_ordered_lists_replace_an_owners_members_and_say_where_lists_changed(tmp_path: Path) -> None:
    lists = OrderedLists(_state(tmp_path))
    lists.replace("x", [Member("home", "2", "x"), Member("topic/t", "2", "x")])
    lists.replace("y", [Member("home", "1", "y")])
    changes = lists.replace("x", [Member("home", "3", "x")])
    assert [(c.list, c.sorts) for c in changes] == [("home", ("2", "3")), ("topic/t", ("2",))]
    assert [m.member for m in lists.slice("home", 0, 10)] == ["y", "x"]
    assert lists.rank("home", "3") == 1 and lists.count("topic/t") == 0
    assert lists.replace("x", [Member("home", "3", "x")]) == []  # the same members: no change


def test_bulk_ranks_and_slices_agree_with_one_query_each(tmp_path: Path) -> None:
    lists = OrderedLists(_state(tmp_path))
    for n in range(100):
        lists.replace(f"o{n}", [Member("l", f"{n * 7 % 100:03d}", f"m{n}")])
    sorts = [f"{n:03d}" for n in range(0, 100, 3)] + ["0505"]
    assert len(sorts) > BULK
    assert lists.ranks("l", sorts) == {sort: lists.rank("l", sort) for sort in sorts}
    bounds = [(n, n + 5) for n in range(0, 100, 10)]
    assert lists.slices("l", bounds) == [lists.slice("l", start, stop) for start, stop in bounds]


def test_the_scan_reads_a_file_once_unless_it_changes_and_always_when_it_is_racy(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "a.txt"
    path.write_text("one")
    old = time.time() - 10 * RACY_SECONDS
    os.utime(path, (old, old))
    store = Store(tmp_path / "store.sqlite", CODE)
    first = hash_files({"a": str(path)}, store)
    store.close()
    reads = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda file, *a, **k: reads.append(file) or real_open(file, *a, **k))
    store = Store(tmp_path / "store.sqlite", CODE)
    # Hashed a moment ago, so its stat cannot be trusted yet ("racy clean"): read again.
    assert hash_files({"a": str(path)}, store) == first and reads == [str(path)]
    store.close()
    reads.clear()
    store = Store(tmp_path / "store.sqlite", CODE)
    real_now = time.time_ns
    monkeypatch.setattr(time, "time_ns", lambda: real_now() + int(10 * RACY_SECONDS * 1e9))  # hashed well after its change
    assert hash_files({"a": str(path)}, store) == first
    store.close()
    store = Store(tmp_path / "store.sqlite", CODE)
    reads.clear()
    assert hash_files({"a": str(path)}, store) == first and reads == []  # trusted now: not read
    path.write_text("two")
    assert hash_files({"a": str(path)}, store) != first and reads == [str(path)]


def test_the_lock_makes_a_second_holder_wait_and_says_who_holds_it(tmp_path: Path) -> None:
    lock = tmp_path / "lock"
    order: list[str] = []
    waited: list[str] = []
    with held(lock):
        second = threading.Thread(target=lambda: _take(lock, order, waited))
        second.start()
        time.sleep(0.3)
        order.append("first done")
    second.join(10)
    assert order == ["first done", "second"]
    assert waited == [f"process {os.getpid()}"]


def _take(lock: Path, order: list[str], waited: list[str]) -> None:
    with held(lock, waited.append):
        order.append("second")
