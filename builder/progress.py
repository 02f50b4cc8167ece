"""How the pipeline tells its caller where it is, without printing anything itself."""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Receives the build's stages and, within a stage that has a total, each finished item."""

    def stage(self, name: str, total: int = 0, unit: str = "files") -> None:
        """A stage begins; `total` items of it (`unit`, plural) are to come, if known."""

    def advance(self) -> None: ...

    def waiting(self, holder: str) -> None:
        """Another build of the same site is running (`holder` says which); this one waits for it."""


class NoProgress:
    """The default: a build that reports to nobody."""

    def stage(self, name: str, total: int = 0, unit: str = "files") -> None:
        pass

    def advance(self) -> None:
        pass

    def waiting(self, holder: str) -> None:
        pass


SILENT = NoProgress()
