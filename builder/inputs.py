"""The files a build reads, and the keys that name what they make.

- the *site key* covers what every page uses: the builder's own code, site/config.yaml, the
  claimants' registry (content/claimants.yaml: any claim may name one) and the build options
  (drafts appear in indexes; search adds a box to every page);
- an *article key* covers one article: its two files, the code, the config and the claimants'
  registry. Loading and anchoring an article is a pure function of them, so its result is memoised
  under it;
- the *input key* covers every file: equal to the last build's, nothing is to be done.

Kept free of the parsers and the template engine: a build with nothing to do stops after this.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .engine.store import content_hash
from .stages.theme import PACKAGE_DIR, builtin_theme

MISSING = "missing"
# content.py's CONFIG_PATH and ARTICLES_DIR (tests/test_incremental.py checks they agree), written
# out so that this module does not load the YAML parser.
CONFIG_PATH = "site/config.yaml"
CLAIMANTS_PATH = "content/claimants.yaml"  # as content.py's; an article's claimants are part of its result
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
        for name in sorted(file_names):  # the scan skips what is not a regular file
            files[prefix + name] = directory + os.sep + name  # os.path.join's checks cost more than the stat


@dataclass(frozen=True)
class Options:
    """How a build was asked for: what it includes and how strict it is."""

    include_drafts: bool = False
    strict: bool = False
    search: bool = True


@dataclass(frozen=True)
class Keys:
    code: str
    site: str  # code, config and options: what every page depends on
    inputs: str  # every input file and the options


def make_keys(hashes: dict[str, str], include_drafts: bool, search: bool) -> Keys:
    code = content_hash(__version__, *(f"{label}={h}" for label, h in sorted(hashes.items()) if label.startswith("<code>/")))
    site = content_hash(code, hashes.get(CONFIG_PATH, MISSING), hashes.get(CLAIMANTS_PATH, MISSING),
                        f"drafts={include_drafts}", f"search={search}")
    return Keys(code, site, content_hash(site, *(f"{label}={h}" for label, h in sorted(hashes.items()))))


def article_keys(hashes: dict[str, str], keys: Keys) -> dict[str, str]:
    """slug -> article key: its two files, the config, the claimants' registry and the code."""
    config = content_hash(hashes.get(CONFIG_PATH, MISSING), hashes.get(CLAIMANTS_PATH, MISSING))
    prefix = f"{ARTICLES_DIR}/"
    articles = {}
    for label, file_hash in hashes.items():
        if label.startswith(prefix) and label.endswith(".md") and "/" not in label[len(prefix):]:
            slug = label[len(prefix):-3]
            # The slug is part of the key: two articles with the same files are still two articles.
            articles[slug] = content_hash(keys.code, config, slug, file_hash, hashes.get(f"{prefix}{slug}.yaml", MISSING))
    return articles
