"""The theme's files: the built-in templates and assets, overridden file by file by the site's own.

Templates are read into a TemplateSet, a plain value, so that a page can be rendered in any worker,
on any machine, from exactly the templates this build read. Kept apart from render.py so that code
which only needs the folders (the input scan, the watcher) does not load the template engine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
STATIC = "static"  # the theme's assets, beside its templates


def builtin_theme() -> Path:
    """The built-in templates and their static assets: inside the installed package, or at the top of a checkout."""
    installed = PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "templates"


@dataclass(frozen=True)
class TemplateSet:
    """Every template a build may use: name -> (source text, file it came from)."""

    templates: tuple[tuple[str, str, str], ...]  # (name, source, filename), by name

    def source(self, name: str) -> tuple[str, str] | None:
        for template_name, text, filename in self.templates:
            if template_name == name:
                return text, filename
        return None

    def names(self) -> list[str]:
        return [name for name, _, _ in self.templates]


def read_templates(site_templates: Path | None) -> TemplateSet:
    """The built-in templates with the site's own (`templates/` in the site root) laid over them by name."""
    found: dict[str, tuple[str, str]] = {}
    for folder in (builtin_theme(), site_templates):
        if folder is None or not folder.is_dir():
            continue
        for directory, folder_names, file_names in os.walk(folder):
            relative = Path(directory).relative_to(folder).as_posix()
            if relative == STATIC or relative.startswith(f"{STATIC}/"):
                continue
            folder_names.sort()
            for file_name in sorted(file_names):
                name = file_name if relative == "." else f"{relative}/{file_name}"
                path = Path(directory, file_name)
                found[name] = (path.read_text(encoding="utf-8"), str(path))
    return TemplateSet(tuple((name, text, filename) for name, (text, filename) in sorted(found.items())))


def static_files(site_static: Path) -> dict[str, Path]:
    """Output path -> file of every static asset: the theme's, overridden file by file by the site's static/."""
    files: dict[str, Path] = {}
    for folder in (builtin_theme() / STATIC, site_static):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    files[f"{STATIC}/{path.relative_to(folder).as_posix()}"] = path
    return dict(sorted(files.items()))
