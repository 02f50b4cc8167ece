"""The files a build reads, their hashes, and the keys derived from them (see graph.py).

Kept free of the parsers and the template engine: a build with nothing to do stops after this.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .stages.theme import PACKAGE_DIR, builtin_theme
from .engine.store import RACY_SECONDS, BuildCache, FileStamp, content_hash

MISSING = "missing"
# content.py's CONFIG_PATH and ARTICLES_DIR (tests/test_incremental.py checks they agree), written
# out so that this module does not load the YAML parser.
CONFIG_PATH = "site/config.yaml"
ARTICLES_DIR = "content/articles"


def input_files(root: Path) -> dict[str, str]:
    """Every file a build reads, by a stable label: the site's content/, site/ and templates/,
    the built-in theme and the builder's own code (a new version may render differently)."""
    files: dict[str, str] = {}
    for folder in ("content", "site", "templates"):
        _add_tree(files, root / folder, folder)
    _add_tree(files, builtin_theme(), "<theme>")
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        files[f"<code>/{path.relative_to(PACKAGE_DIR).as_posix()}"] = str(path)
    return files


def _add_tree(files: dict[str, str], folder: Path, label: str) -> None:
    """Every file under `folder`, sorted; os.walk rather than Path.rglob: tens of thousands of files."""
    for directory, folder_names, file_names in os.walk(folder):
        folder_names.sort()
        relative = os.path.relpath(directory, folder)
        prefix = f"{label}/" if relative == "." else f"{label}/{relative.replace(os.sep, '/')}/"
        for name in sorted(file_names):  # hash_files() skips what is not a regular file
            files[prefix + name] = directory + os.sep + name  # os.path.join's checks cost more than the stat


@dataclass(frozen=True)
class Keys:
    site: str
    build: str


def make_keys(hashes: dict[str, str], include_drafts: bool, search: bool) -> Keys:
    """The site and build keys from the input hashes and the options that change every page
    (see graph.py's docstring): drafts appear in indexes, search adds a box to every page."""
    site = content_hash(_code_key(hashes), hashes.get(CONFIG_PATH, MISSING), f"drafts={include_drafts}",
                        f"search={search}")
    return Keys(site, content_hash(site, *(f"{label}={h}" for label, h in sorted(hashes.items()))))


def article_keys(hashes: dict[str, str]) -> dict[str, str]:
    """slug -> article key: its two files, the config and the code (see graph.py's docstring)."""
    code, config = _code_key(hashes), hashes.get(CONFIG_PATH, MISSING)
    prefix = f"{ARTICLES_DIR}/"
    articles = {}
    for label, file_hash in hashes.items():
        if label.startswith(prefix) and label.endswith(".md") and "/" not in label[len(prefix):]:
            slug = label[len(prefix):-3]
            # The slug is part of the key: two articles with the same files are still two articles.
            articles[slug] = content_hash(code, config, slug, file_hash, hashes.get(f"{prefix}{slug}.yaml", MISSING))
    return articles


def _code_key(hashes: dict[str, str]) -> str:
    return content_hash(__version__, *(f"{label}={h}" for label, h in sorted(hashes.items()) if label.startswith("<code>/")))


def hash_files(files: dict[str, str], cache: BuildCache) -> dict[str, str]:
    """label -> BLAKE2b of the file's bytes, re-reading only files whose stat changed (see cache.py)."""
    known: dict[str, tuple[FileStamp, str]] = cache.get("inputs") or {}
    racy_after = int((cache.written_at - RACY_SECONDS) * 1e9)
    hashes: dict[str, str] = {}
    stamps: dict[str, tuple[FileStamp, str]] = {}
    for label, path in files.items():
        try:
            status = os.stat(path)
        except FileNotFoundError:  # a dangling link, or deleted since the scan: not an input
            continue
        if not stat.S_ISREG(status.st_mode):
            continue
        stamp = FileStamp.of(status)
        previous = known.get(label)
        if previous is not None and previous[0] == stamp and stamp.mtime_ns < racy_after and stamp.ctime_ns < racy_after:
            file_hash = previous[1]
        else:
            with open(path, "rb") as stream:
                file_hash = content_hash(stream.read())
        hashes[label] = file_hash
        stamps[label] = (stamp, file_hash)
    cache.put("inputs", stamps)
    return hashes
