"""What a command tells a person: colour only on a terminal, a progress bar on long builds, the summary.

Everything here writes through click, which drops colour codes when the stream is not a
terminal; NO_COLOR (https://no-color.org) turns colour off on a terminal too.
"""

from __future__ import annotations

import enum
import os
import sys
import threading
import time
from pathlib import Path
from typing import IO, Callable

import click

from .build import Summary
from .stages.diagnostics import Diagnostic

SEVERITY_COLOURS = {"error": "red", "warning": "yellow"}


class Verbosity(enum.IntEnum):
    QUIET = 0  # errors only
    NORMAL = 1  # plus the summary, and progress on long builds
    VERBOSE = 2  # plus each stage's duration and each changed file


def colour_allowed() -> bool | None:
    """False when NO_COLOR is set (to anything but ''); None lets click decide by the stream."""
    return False if os.environ.get("NO_COLOR") else None


def say(text: str, err: bool = False, **style: object) -> None:
    """Print one line, styled when the stream is a terminal and NO_COLOR is not set."""
    click.echo(click.style(text, **style) if style else text, err=err, color=colour_allowed())


def say_diagnostic(diagnostic: Diagnostic) -> None:
    """`path:line:col: error: message` on stderr, the severity in colour on a terminal."""
    severity = click.style(f"{diagnostic.severity}:", fg=SEVERITY_COLOURS.get(diagnostic.severity), bold=True)
    click.echo(f"{click.style(str(diagnostic.at), bold=True)}: {severity} {diagnostic.message}",
               err=True, color=colour_allowed())


def summary_line(summary: Summary, out: Path, seconds: float) -> str:
    """The one line a successful build ends with."""
    unchanged = summary.pages - summary.pages_changed
    return (f"built {_count(summary.pages, 'page')} from {_count(summary.articles, 'article')} "
            f"({_count(summary.claims, 'claim')}, {_count(summary.caveats, 'caveat')}) into {out} in {seconds:.2f} s: "
            f"{summary.pages_changed} changed, {unchanged} unchanged, {_count(len(summary.warnings), 'warning')}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


class TerminalProgress:
    """A `Progress` for people: a bar once a build has run for a while on a terminal, plain lines elsewhere.

    Short builds print nothing here, so the usual output is the summary alone. A stage
    without a count (reading, resolving) that outlasts the delay shows its name on a status
    line, from a timer, so a long build never sits silent. When the stream is not a terminal
    (CI logs), a build that has run for several seconds prints one plain line per stage instead
    of a bar that would fill the log with carriage returns.
    """

    def __init__(self, verbosity: Verbosity, stream: IO[str] | None = None, after_seconds: float | None = None,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.verbosity = verbosity
        self.stream = stream if stream is not None else sys.stderr
        self.is_terminal = self.stream.isatty()
        # A person at a terminal wants to see a bar soon; a log wants lines only when a build is long.
        self.after_seconds = after_seconds if after_seconds is not None else 0.5 if self.is_terminal else 5.0
        self.clock = clock
        self.started = clock()
        self._stage = ""
        self._unit = "files"
        self._stage_started = self.started
        self._total = 0
        self._done = 0
        self._bar = None
        self._status_lock = threading.Lock()  # the timer's status line against the stage's end
        self._status_timer: threading.Timer | None = None
        self._status_shown = False

    def stage(self, name: str, total: int = 0, unit: str = "files") -> None:
        self._end_stage()
        self._stage, self._total, self._done, self._stage_started = name, total, 0, self.clock()
        self._unit = unit if total != 1 else unit.removesuffix("s")
        if self.verbosity == Verbosity.NORMAL and not self.is_terminal and self._is_long():
            self._line(f"digest: {self._label()}")
        if self.verbosity == Verbosity.NORMAL and self.is_terminal and not total:
            delay = max(0.0, self.after_seconds - (self.clock() - self.started))
            self._status_timer = threading.Timer(delay, self._show_status, args=(name,))
            self._status_timer.daemon = True
            self._status_timer.start()

    def advance(self) -> None:
        self._done += 1
        if self._bar is not None:
            self._bar.update(1)
        elif self.verbosity == Verbosity.NORMAL and self.is_terminal and self._total and self._is_long():
            self._bar = click.progressbar(length=self._total, label=self._label(), file=self.stream,
                                          color=colour_allowed())
            self._bar.__enter__()
            self._bar.update(self._done)

    def waiting(self, holder: str) -> None:
        """Said whatever the verbosity: a build that seems to hang must say why."""
        self._end_stage()
        click.echo(f"waiting for another build of this site to finish ({holder})…", file=self.stream,
                   color=colour_allowed())

    def finish(self) -> None:
        """End the last stage: close the bar, or print its duration when verbose."""
        self._end_stage()
        self._stage = ""

    def _show_status(self, name: str) -> None:
        with self._status_lock:
            if self._status_timer is not None and self._stage == name:
                self.stream.write(f"\r{name}…")
                self.stream.flush()
                self._status_shown = True

    def _end_stage(self) -> None:
        with self._status_lock:
            if self._status_timer is not None:
                self._status_timer.cancel()
                self._status_timer = None
            if self._status_shown:
                self.stream.write("\r\x1b[K")  # erase the status line
                self._status_shown = False
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
        if self._stage and self.verbosity == Verbosity.VERBOSE:
            self._line(f"  {self._label()}: {self.clock() - self._stage_started:.2f} s")

    def _label(self) -> str:
        return f"{self._stage} {self._total} {self._unit}" if self._total else self._stage

    def _is_long(self) -> bool:
        return self.clock() - self.started >= self.after_seconds

    def _line(self, text: str) -> None:
        click.echo(text, file=self.stream, color=colour_allowed())
