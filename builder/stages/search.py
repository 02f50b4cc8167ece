"""Rendered pages -> a Pagefind full-text index (pagefind/), built by the bundled pagefind binary.

The binary reads HTML files from disk, so the rendered pages are written to a temporary folder,
indexed there, and the index read back as files: public/ is still written only by output.py.
Pages opt in with `data-pagefind-body` (articles, topics, sources); claim and caveat notes carry
headings with ids, which Pagefind turns into sub-results that link to the note.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from .diagnostics import SearchUnavailable
from .render import RenderedFile

INDEX_FOLDER = "pagefind"
# Pagefind also writes its older Default and Modular UIs; the theme uses the Component UI only.
UNUSED_BUNDLE_FILES = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
                       "pagefind-highlight.js")


def pagefind_binary() -> Path:
    """The pagefind executable: PAGEFIND_BINARY_PATH, the one bundled with the `pagefind` package, or on PATH."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override:
        found: Path | None = Path(override)
    else:
        try:
            from pagefind.service import get_executable
        except ImportError:
            get_executable = None  # type: ignore[assignment]
        found = get_executable() if get_executable else None
        if found is None:
            on_path = shutil.which("pagefind_extended") or shutil.which("pagefind")
            found = Path(on_path) if on_path else None
    if found is None or not found.is_file() or not os.access(found, os.X_OK):
        where = f" (PAGEFIND_BINARY_PATH is '{override}')" if override else ""
        raise SearchUnavailable(
            f"the search index needs the pagefind binary, which was not found{where}; install it with "
            "pip install 'pagefind[extended]', or build without search: digest build --no-search")
    return found


def search_index(files: list[RenderedFile], language: str) -> list[RenderedFile]:
    """The Pagefind bundle for the HTML among `files`, as files under pagefind/."""
    binary = pagefind_binary()
    with tempfile.TemporaryDirectory(prefix="digest-search-") as temp:
        site, bundle = Path(temp, "site"), Path(temp, "bundle")
        for file in files:
            if file.path.endswith(".html"):
                target = site.joinpath(*PurePosixPath(file.path).parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(file.data)
        command = [str(binary), "--site", str(site), "--output-path", str(bundle), "--silent",
                   "--force-language", language.split("-")[0].lower()]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise SearchUnavailable(f"pagefind failed (exit {result.returncode})"
                                    + (f": {detail[-1]}" if detail else ""))
        return [RenderedFile(f"{INDEX_FOLDER}/{path.relative_to(bundle).as_posix()}", path.read_bytes())
                for path in sorted(bundle.rglob("*")) if path.is_file() and path.name not in UNUSED_BUNDLE_FILES]
