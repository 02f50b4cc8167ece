"""What each page depends on: the dependency graph that lets a rebuild render only what changed.

Inputs are hashed, never trusted by date (cache.py). From the hashes:

- the *site key* covers what every page uses: the builder's code, the templates (site and theme),
  site/config.yaml and the build options;
- an *article key* covers one article: its Markdown and annotation files, the code and the config.
  Loading and anchoring an article is a pure function of it, so its results are cached under it;
- a *listing key* covers an article as index pages see it: everything but its text (pages.py gives
  index pages articles without their text, so an index page cannot depend on it by accident).

A page's key hashes the site key and its view: an article page's view is its article (article key)
and the Source objects it shows; an index page's view lists articles (listing keys), claims and
caveats (by their article's listing key and their id), topics and sources (their fields). So:

    article page  <- its Markdown, its annotations, the sources/topics it shows, templates, config
    source page   <- the source, the claims and caveats citing it (their articles' listing keys)
    topic page    <- the topic, its articles and claims
    home, topics/, sources/, discrepancies/ <- the listed articles' summaries, claims and caveats

Templates also look sources and topics up by id (`sources[sid].name`). Those look-ups are recorded
while the page renders (render.py) and kept with the page with the hash of each entry read: the page
is re-rendered when one of them changes. A page is reused only if its key, its recorded look-ups and
its output file (size, mtime, inode) are all as the last build left them.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .cache import content_hash
from .content import ARTICLES_DIR, CONFIG_PATH
from .model import Source, Topic
from .pages import ArticleView, CitedCaveat, CitedClaim, Page, listed_article
from .render import EVERYTHING, builtin_theme
from .resolve import AnchoredArticle, AnchoredCaveat, AnchoredClaim, Digest

MISSING = "missing"
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class OutputStamp:
    """What an output file looked like when written; hard links change ctime, so it is left out."""

    size: int
    mtime_ns: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> "OutputStamp | None":
        try:
            stat = path.stat()
        except OSError:
            return None
        return cls(stat.st_size, stat.st_mtime_ns, stat.st_ino)


@dataclass(frozen=True)
class PageRecord:
    key: str
    lookups: tuple[tuple[str, str, str], ...]  # (registry, id, hash of the entry when rendered)
    stamp: OutputStamp | None


@dataclass(frozen=True)
class BuildRecord:
    """The last successful build into one output folder."""

    build_key: str  # every input, hashed: equal means the output is already right
    summary: Any
    pages: dict[str, PageRecord]  # output path -> record; static files have no key


def input_files(root: Path) -> dict[str, Path]:
    """Every file a build reads, by a stable label: the site's content/, site/ and templates/,
    the built-in theme and the builder's own code (a new version may render differently)."""
    files: dict[str, Path] = {}
    for folder in ("content", "site", "templates"):
        _add_tree(files, root / folder, folder)
    _add_tree(files, builtin_theme(), "<theme>")
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        files[f"<code>/{path.name}"] = path
    return files


def _add_tree(files: dict[str, Path], folder: Path, label: str) -> None:
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                files[f"{label}/{path.relative_to(folder).as_posix()}"] = path


@dataclass(frozen=True)
class Keys:
    site: str
    build: str
    articles: dict[str, str]  # slug -> article key


def make_keys(hashes: dict[str, str], include_drafts: bool) -> Keys:
    """Site, build and article keys from the input hashes (see the module docstring)."""
    code = content_hash(__version__, *(f"{label}={h}" for label, h in sorted(hashes.items()) if label.startswith("<code>/")))
    config = hashes.get(CONFIG_PATH, MISSING)
    site = content_hash(code, config, f"drafts={include_drafts}", *(
        f"{label}={h}" for label, h in sorted(hashes.items())
        if label.startswith(("<theme>/", "templates/")) and not label.startswith("<theme>/static/")))
    prefix = f"{ARTICLES_DIR}/"
    articles = {}
    for label, file_hash in hashes.items():
        if label.startswith(prefix) and label.endswith(".md") and "/" not in label[len(prefix):]:
            slug = label[len(prefix):-3]
            articles[slug] = content_hash(code, config, file_hash, hashes.get(f"{prefix}{slug}.yaml", MISSING))
    build = content_hash(site, *(f"{label}={h}" for label, h in sorted(hashes.items())))
    return Keys(site, build, articles)


def listing_key(article: AnchoredArticle) -> str:
    """The hash of an article as index pages see it (its repr is plain frozen data, in order)."""
    return content_hash(repr(listed_article(article)))


def registry_hashes(digest: Digest) -> dict[str, dict[str, str]]:
    """For each registry templates can look up: id -> hash of the entry, and EVERYTHING -> all of it."""
    registries = {"sources": {s.id: content_hash(repr(s)) for s in digest.sources},
                  "topics": {t.id: content_hash(repr(t)) for t in digest.topics}}
    for entries in registries.values():
        entries[EVERYTHING] = content_hash(*(f"{k}={v}" for k, v in sorted(entries.items())))
    return registries


class PageKeys:
    """Computes page keys, remembering the pieces that many pages share."""

    def __init__(self, site_key: str, article_keys: dict[str, str], listing_keys: dict[str, str]) -> None:
        self.site_key = site_key
        self.article_keys = article_keys
        self.listing_keys = listing_keys
        self._shared: dict[int, str] = {}

    def keys(self, page_list: list[Page]) -> dict[str, str]:
        return {page.path: self.key(page) for page in page_list}

    def key(self, page: Page) -> str:
        parts: list[str] = [self.site_key, page.path, page.template, page.title]
        view = page.view
        if isinstance(view, ArticleView):
            parts.append(self.article_keys[view.article.slug])
            self._walk(view.comparison, parts)
            self._walk(view.outlet, parts)
        else:
            self._walk(view, parts)
        return content_hash(*parts)

    def _walk(self, value: Any, parts: list[str]) -> None:
        if isinstance(value, AnchoredArticle):
            if value.body_html or value.article.body:
                raise AssertionError(f"an index page's view holds the text of '{value.slug}': use listed_article()")
            parts.append(self.listing_keys[value.slug])
        elif isinstance(value, CitedClaim):
            parts += [self.listing_keys[value.article.slug], "claim", value.claim.claim.id]
        elif isinstance(value, CitedCaveat):
            parts += [self.listing_keys[value.article.slug], "caveat", value.caveat.caveat.id, value.role]
        elif isinstance(value, (AnchoredClaim, AnchoredCaveat)):
            # Only inside an article page's comparison, whose article key covers it.
            parts.append(value.note_id)
        elif isinstance(value, (Source, Topic)):
            shared = self._shared.get(id(value))
            if shared is None:
                shared = self._shared[id(value)] = repr(value)
            parts.append(shared)
        elif isinstance(value, tuple):
            parts.append(f"({len(value)}")
            for item in value:
                self._walk(item, parts)
        elif dataclasses.is_dataclass(value):
            parts.append(type(value).__name__)
            for field in dataclasses.fields(value):
                self._walk(getattr(value, field.name), parts)
        elif value is None or isinstance(value, (str, int, float, bool, datetime.date)):
            parts.append(repr(value))
        else:
            raise AssertionError(f"no key for a {type(value).__name__} in a page view")


def is_current(record: PageRecord | None, key: str, registries: dict[str, dict[str, str]], out: Path,
               path: str) -> bool:
    """Whether the file the last build wrote for this page is still exactly what it would render."""
    if record is None or record.key != key or record.stamp is None:
        return False
    for registry, entry_id, entry_hash in record.lookups:
        if registries.get(registry, {}).get(entry_id, MISSING) != entry_hash:
            return False
    return OutputStamp.of(out / path) == record.stamp


def lookup_hashes(lookups: tuple[tuple[str, str], ...], registries: dict[str, dict[str, str]]) -> tuple[tuple[str, str, str], ...]:
    """(registry, id) look-ups with the hash each entry has now."""
    return tuple((registry, entry_id, registries.get(registry, {}).get(entry_id, MISSING))
                 for registry, entry_id in lookups)
