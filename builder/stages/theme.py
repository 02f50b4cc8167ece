"""Where the built-in theme lives: inside the installed package, or at the top of a source checkout.

Kept apart from render.py so that code which only needs the folder (the input scan, the watcher)
does not load the template engine.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def builtin_theme() -> Path:
    """The built-in templates and their static assets."""
    installed = PACKAGE_DIR / "templates"
    return installed if installed.is_dir() else PACKAGE_DIR.parent / "templates"
