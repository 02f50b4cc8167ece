"""One annotation file as ruamel.yaml's round-trip tree: entries added and verdicts changed in place,
so that every comment, key order, quoting style and blank line of the file stays as it was.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from ..scaffold import article_slug
from ..stages.anchoring import Selector
from ..stages.diagnostics import ContentErrors, Diagnostic, Location
from ..stages.shapes import ID_PATTERN
from ..stages.yamlfile import parse_yaml

# The layout `digest new` and the README use, for a file that shows none of its own.
DEFAULT_INDENT = (2, 4, 2)  # mapping, sequence, dash offset
ID_WORDS = 5  # a generated id takes the first few words of the claim, like a slug
ID_LENGTH = 40
_BLANK_BEFORE_ENTRY = re.compile(r"\n[ \t]*\n[ \t]*- id:")


@dataclass(frozen=True)
class NewClaim:
    selector: Selector
    status: str
    sources: tuple[str, ...]
    claim: str = ""
    claimant: str = ""
    topics: tuple[str, ...] = ()
    note: str = ""
    id: str = ""  # "" -> generated from the claim (or the quote)


@dataclass(frozen=True)
class NewCaveat:
    kind: str
    text: str
    selector: Selector | None = None
    claims: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    noted_by: tuple[str, ...] = ()
    id: str = ""


@dataclass(frozen=True)
class VerdictChange:
    claim_id: str
    status: str
    on: datetime.date  # the day the new verdict is given
    note: str = ""  # why: replaces the claim's note, whose reason goes with the old verdict into the history


class AnnotationDocument:
    """The parsed file and how to write it back; `text()` is the file as it would now be."""

    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.original = text
        if text.strip():
            parse_yaml(text, path)  # the build's own parser first: located errors, and no unsafe YAML
        self._yaml = YAML()
        self._yaml.preserve_quotes = True
        self._yaml.width = 1_000_000  # never fold a long line that was one line
        try:
            data, indent, offset = load_yaml_guess_indent(text, yaml=self._yaml)
        except MarkedYAMLError as error:  # what PyYAML accepts and ruamel does not
            mark = error.problem_mark or error.context_mark
            raise ContentErrors([Diagnostic(Location(path, (mark.line + 1) if mark else 1, (mark.column + 1) if mark else 1),
                                            f"cannot edit this file: {error.problem or error.context}")]) from None
        if data is not None and not isinstance(data, CommentedMap):
            raise ContentErrors([Diagnostic(Location(path, 1), "an annotation file is a mapping with 'claims', "
                                                               "'caveats' and 'sources'; this one is not")])
        self._added: list[str] = []  # ids of the entries added, in order
        self._appended = data is None  # empty or only comments: new entries go after what is there
        self.data: CommentedMap = data if data is not None else CommentedMap()
        if indent is None or offset is None:
            mapping, sequence, dash = DEFAULT_INDENT
        else:
            mapping, sequence, dash = (indent - offset if offset else indent), indent, offset
        self._yaml.indent(mapping=max(mapping, 1), sequence=max(sequence, dash + 2), offset=dash)

    def text(self) -> str:
        """The file's new text."""
        if not self.data:
            return self.original
        out = io.StringIO()
        self._yaml.dump(self.data, out)
        text = self._separated(out.getvalue())
        if not self._appended:
            return text
        kept = self.original.rstrip("\n")
        return (kept + "\n\n" if kept else "") + text

    def _separated(self, text: str) -> str:
        """Where the file has a blank line between entries, each new entry gets one before it too
        (ruamel.yaml keeps blank lines as comments of the entry above, so an appended one has none)."""
        if not _BLANK_BEFORE_ENTRY.search(self.original):
            return text
        lines = text.split("\n")
        for entry_id in self._added:
            start = next((i for i, line in enumerate(lines) if re.fullmatch(rf"[ \t]*- id: {re.escape(entry_id)}", line)), None)
            if start and lines[start - 1].strip() and not lines[start - 1].rstrip().endswith(":"):
                lines.insert(start, "")
        return "\n".join(lines)

    def ids(self) -> set[str]:
        """Every claim and caveat id in the file: a new id is unique against both."""
        return {str(entry.get("id")) for name in ("claims", "caveats")
                for entry in self._entries(name) if isinstance(entry, dict)}

    def entry(self, section: str, entry_id: str) -> CommentedMap | None:
        return next((e for e in self._entries(section) if isinstance(e, dict) and str(e.get("id")) == entry_id), None)

    def add_claim(self, claim: NewClaim) -> str:
        entry_id = claim.id or self.new_id(claim.claim or claim.selector.quote, "claim")
        entry = CommentedMap()
        entry["id"] = entry_id
        _put_selector(entry, claim.selector)
        _put_text(entry, "claim", claim.claim)
        _put_text(entry, "claimant", claim.claimant)
        entry["status"] = claim.status
        entry["sources"] = _flow(claim.sources)
        if claim.topics:
            entry["topics"] = _flow(claim.topics)
        _put_text(entry, "note", claim.note)
        self._append("claims", entry, before="caveats")
        return entry_id

    def add_caveat(self, caveat: NewCaveat) -> str:
        base = caveat.selector.quote if caveat.selector else caveat.text
        entry_id = caveat.id or self.new_id(base, caveat.kind)
        entry = CommentedMap()
        entry["id"] = entry_id
        entry["kind"] = caveat.kind
        _put_text(entry, "text", caveat.text)
        for name in ("claims", "sources", "noted_by"):
            if getattr(caveat, name):
                entry[name] = _flow(getattr(caveat, name))
        if caveat.selector is not None:
            _put_selector(entry, caveat.selector)
        self._append("caveats", entry, before="sources")
        return entry_id

    def change_verdict(self, change: VerdictChange, article_date: datetime.date) -> bool:
        """Set the claim's status; the previous verdict goes into its history with the day it was
        given (`updated`, else the article's date). False if nothing changed."""
        entry = self.entry("claims", change.claim_id)
        if entry is None:
            raise KeyError(change.claim_id)
        previous = _scalar_text(entry.get("status"))
        if previous == change.status:
            return False
        given_on = entry.get("updated", article_date)
        if isinstance(given_on, datetime.date) and given_on < change.on:
            if "updated" in entry:
                entry["updated"] = change.on
            else:
                _insert_after(entry, "status", "updated", change.on)
            history = entry.get("history")
            if not isinstance(history, CommentedSeq):
                history = CommentedSeq()
                _insert_after(entry, "updated", "history", history)
            step = CommentedMap()
            step["date"] = given_on
            step["status"] = entry["status"]
            if change.note.strip() and _scalar_text(entry.get("note")):
                step["note"] = entry["note"]
            history.append(step)
        # A verdict given earlier the same day is replaced, not kept: history dates are strictly increasing.
        entry["status"] = change.status
        if change.note.strip():
            if "note" in entry:
                del entry["note"]
            _put_text(entry, "note", change.note)
        return True

    def new_id(self, text: str, fallback: str) -> str:
        """An id from the first words of `text`, made unique in the file: 'council-approved-a-fare-freeze-2'."""
        words = article_slug(text).split("-")[:ID_WORDS]
        base = "-".join(words)[:ID_LENGTH].strip("-") or fallback
        if not ID_PATTERN.match(base):
            base = fallback
        taken = self.ids()
        candidate, number = base, 2
        while candidate in taken:
            candidate, number = f"{base}-{number}", number + 1
        return candidate

    def _entries(self, section: str) -> list:
        entries = self.data.get(section)
        return list(entries) if isinstance(entries, list) else []

    def _append(self, section: str, entry: CommentedMap, before: str) -> None:
        entries = self.data.get(section)
        if not isinstance(entries, CommentedSeq):
            entries = CommentedSeq()
            if before in self.data:
                self.data.insert(list(self.data).index(before), section, entries)
            else:
                self.data[section] = entries
        if entries.fa.flow_style():
            entries.fa.set_block_style()  # `claims: []` becomes a block list
        entries.append(entry)
        self._added.append(str(entry["id"]))


def _put_selector(entry: CommentedMap, selector: Selector) -> None:
    entry["quote"] = selector.quote
    if selector.prefix:
        entry["prefix"] = selector.prefix
    if selector.suffix:
        entry["suffix"] = selector.suffix


def _put_text(entry: CommentedMap, name: str, text: str) -> None:
    text = text.strip()
    if text:
        entry[name] = LiteralScalarString(text + "\n") if "\n" in text else text


def _flow(ids: tuple[str, ...]) -> CommentedSeq:
    """A list of ids written on one line, `[a, b]`, as the format's examples do."""
    seq = CommentedSeq(ids)
    seq.fa.set_flow_style()
    return seq


def _insert_after(entry: CommentedMap, after: str, name: str, value: Any) -> None:
    keys = list(entry)
    position = keys.index(after) + 1 if after in keys else len(keys)
    entry.insert(position, name, value)


def _scalar_text(value: Any) -> str:
    """A status as written: `status: false` is read by YAML as a boolean."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
