"""Which files a site's build reads, and a stream of changes to them (through `watchfiles`).

Only the folders a build reads are watched: the site root itself may hold a virtualenv or
a .git folder with thousands of subfolders that a recursive watch would have to follow.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable, Iterator

import watchfiles

from .stages.claimants import CLAIMANTS_FILE
from .stages.content import CONFIG_PATH, SOURCES_PATH, TOPICS_PATH
from .stages.theme import builtin_theme

REGISTRIES = (CONFIG_PATH, SOURCES_PATH, TOPICS_PATH, CLAIMANTS_FILE)  # the site's files outside articles/

# Editors' swap, backup and lock files, on top of watchfiles' defaults (.swp, ~, .#, .DS_Store).
_EDITOR_DEBRIS = (r"^4913$", r"\.tmp$", r"\.bak$", r"\.crswap$", r"^#.*#$")


def watched_folders(root: Path) -> tuple[Path, ...]:
    """Content, site config and static assets, site templates, and the built-in theme: those that exist."""
    candidates = (root / "content", root / "site", root / "templates", builtin_theme())
    return tuple(sorted({folder.resolve() for folder in candidates if folder.is_dir()}))


def affects_build(path: Path, root: Path) -> bool:
    """Whether a build reads this path: a change elsewhere (notes, drafts folders, editor files) needs none."""
    path, root = path.resolve(), root.resolve()
    if any(path.is_relative_to(folder) for folder in (root / "site" / "static", root / "templates", builtin_theme())):
        return True
    if path in (root / "content", root / "site", root / "content" / "articles"):  # a whole folder came or went
        return True
    if path in {root / rel_path for rel_path in REGISTRIES}:
        return True
    return path.parent == root / "content" / "articles" and path.suffix in (".md", ".yaml", ".yml")


def site_filter() -> watchfiles.DefaultFilter:
    """watchfiles' default filter (version control, caches, editor files), plus more editor debris."""
    return watchfiles.DefaultFilter(
        ignore_entity_patterns=(*watchfiles.DefaultFilter.ignore_entity_patterns, *_EDITOR_DEBRIS))


def site_changes(root: Path, stop: threading.Event, on_watching: Callable[[], None] = lambda: None,
                 quiet_ms: int = 50) -> Iterator[frozenset[Path]]:
    """Yield each batch of changed paths under the watched folders, until `stop` is set.

    A batch is yielded once nothing has changed for `quiet_ms`, so an editor's save (often
    a write, a rename and a delete) makes one batch. A watched folder that appears later,
    such as a new templates/, restarts the watch to include it and counts as a change.
    `on_watching` is called once, when the first watch is in place (changes before it are missed).
    """
    waiting_for_watch = True
    while not stop.is_set():
        folders = watched_folders(root)
        for changes in watchfiles.watch(*folders, watch_filter=site_filter(), step=quiet_ms, stop_event=stop,
                                        rust_timeout=250, yield_on_timeout=True):
            if waiting_for_watch:
                waiting_for_watch = False
                on_watching()
            if changes:
                yield frozenset(Path(path) for _, path in changes)
            appeared = set(watched_folders(root)) - set(folders)
            if appeared or set(folders) - set(watched_folders(root)):
                if appeared:
                    yield frozenset(appeared)
                break
