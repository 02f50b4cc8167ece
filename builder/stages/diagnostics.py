"""Located messages about content, and the exception that carries them out of a stage."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Iterable, NamedTuple


class Location(NamedTuple):  # a tuple, not a dataclass: a build holds tens of thousands, and tuples
    # are smaller and unpickle faster (ordered by path, line, column, as a tuple is)
    path: str  # relative to the site root, with forward slashes
    line: int  # 1-based
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    at: Location
    message: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.at}: {self.severity}: {self.message}"


class ContentErrors(Exception):
    """Raised at the end of a stage that found errors; nothing is rendered after it."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


class Collector:
    """Gathers diagnostics during a stage so that every problem is reported in one run."""

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []

    def error(self, at: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(at, message))

    def warning(self, at: Location, message: str) -> None:
        self.diagnostics.append(Diagnostic(at, message, "warning"))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def raise_if_errors(self) -> None:
        if self.errors:
            raise ContentErrors(self.errors)


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for a near miss among `known`, else ''."""
    matches = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


class SearchUnavailable(Exception):
    """The search index cannot be built: the pagefind binary is missing or failed."""
