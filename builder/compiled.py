"""Compiled templates kept in the store, so that a rebuild does not compile the theme again.

Jinja asks its bytecode cache for a template by a key of its name and source, and ignores what it
is given if the source changed. Used by the build process only: the store's connection is not
shared with workers (they compile once per process).
"""

from __future__ import annotations

import jinja2

from .engine.store import Store


class StoredBytecode(jinja2.BytecodeCache):
    def __init__(self, store: Store) -> None:
        self.store = store

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(f"jinja:{bucket.key}")
        if isinstance(data, bytes):
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.put(f"jinja:{bucket.key}", bucket.bytecode_to_string())
