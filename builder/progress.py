"""How the pipeline tells its caller where it is, without printing anything itself."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives the build's stages and, within a stage that has a total, each finished item."""

    def stage(self, name: str, total: int = 0) -> None: ...

    def advance(self) -> None: ...


class NoProgress:
    """The default: a build that reports to nobody."""

    def stage(self, name: str, total: int = 0) -> None:
        pass

    def advance(self) -> None:
        pass


SILENT = NoProgress()
