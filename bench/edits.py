"""The edits the benchmark times: each run of each edit is a real change to the corpus.

All four touch one article in the middle of the corpus (its Markdown or its annotation file) or the
shared source registry; `originals()` gives their bytes so that the corpus can be put back as generated.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

# A claim's verdict line as the corpus writes it: `    status: "disputed"` (quotes optional).
STATUS_LINE = re.compile(r'^(?P<key>[ \t]+status:[ \t]*)"?(?P<status>[^"\s]+)"?[ \t]*$', re.MULTILINE)


@dataclass(frozen=True)
class Edit:
    label: str  # the step's name in the results: "text edit", ...
    path: Path
    apply: Callable[[int], None]  # run number (0, 1, ...) -> changes the file


def corpus_edits(site: Path, scale: Sequence[str]) -> list[Edit]:
    """The timed edits, in the order they are run, on the article at the middle of the sorted list."""
    articles = sorted((site / "content" / "articles").glob("*.md"))
    article = articles[len(articles) // 2]
    annotations = article.with_suffix(".yaml")
    sources = site / "content" / "sources.yaml"
    return [
        Edit("text edit", article,
             lambda run: _append(article, f"\nAn editor's addition, revision {time.time_ns()}.\n")),
        Edit("verdict edit", annotations, lambda run: change_verdict(annotations, run, scale)),
        Edit("annotation edit", annotations,
             lambda run: _replace_first(annotations, 'claim: "', f'claim: "Revised {run}: ')),
        Edit("source edit", sources, lambda run: _replace_first(sources, "  name: ", f"  name: Renamed {run} ")),
    ]


def originals(edits: list[Edit]) -> dict[Path, bytes]:
    """The bytes of every file the edits change, to write back afterwards."""
    return {edit.path: edit.path.read_bytes() for edit in edits}


def change_verdict(path: Path, run: int, scale: Sequence[str]) -> None:
    """Move one claim's status to the next one of `scale` (wrapping round).

    The first claim takes runs 0, 1, 2 (with a scale of four), the second the next three, and so on,
    so no run brings the file back to a state an earlier run built: each is a real change.
    """
    text = path.read_text(encoding="utf-8")
    verdicts = list(STATUS_LINE.finditer(text))
    if not verdicts:
        raise SystemExit(f"{path}: no claim with a status line to change")
    verdict = verdicts[(run // (len(scale) - 1)) % len(verdicts)]
    current = verdict["status"]
    if current not in scale:
        raise SystemExit(f"{path}: status {current!r} is not on the scale {', '.join(scale)}")
    new = scale[(scale.index(current) + 1) % len(scale)]
    path.write_text(f'{text[:verdict.start()]}{verdict["key"]}"{new}"{text[verdict.end():]}', encoding="utf-8")


def _append(path: Path, text: str) -> None:
    with open(path, "a", encoding="utf-8") as stream:
        stream.write(text)


def _replace_first(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise SystemExit(f"{path}: {old!r} not found, so the edit would change nothing")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
