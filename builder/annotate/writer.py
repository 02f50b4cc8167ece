"""Write an article's annotation file without ever breaking the digest.

Each write runs under a lock, reads the file afresh, applies the edits to its round-trip tree
(document.py), checks the new text with the build's own loading and anchoring (content.py,
resolve.py) on a shadow of the site, and only then replaces the file atomically. A refused
write raises WriteRefused with the located diagnostics and leaves every file as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from ..stages.content import ARTICLES_DIR, CONFIG_PATH, SOURCES_PATH, TOPICS_PATH, load_content
from ..stages.diagnostics import ContentErrors, Diagnostic, Location
from ..stages.model import Article, Content
from ..stages.resolve import resolve
from ..stages.shapes import SLUG_PATTERN
from .document import AnnotationDocument

T = TypeVar("T")
_IN_PROCESS = threading.Lock()  # flock serialises processes; this, threads that share one descriptor


class WriteRefused(Exception):
    """The edit would break the digest, or cannot be made; nothing was written."""

    def __init__(self, diagnostics: tuple[Diagnostic, ...] | list[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics))
        super().__init__("\n".join(str(d) for d in self.diagnostics))


@dataclass(frozen=True)
class Written:
    path: str  # the annotation file, relative to the site root
    result: object  # what the edit returned (the new entry's id, ...)
    changed: bool  # False when the file already said so: nothing was written


def annotation_path(slug: str) -> str:
    return f"{ARTICLES_DIR}/{slug}.yaml"


def edit_annotations(root: Path, slug: str, edit: Callable[[AnnotationDocument, Article], T]) -> Written:
    """Apply `edit` to the article's annotation file (created if missing), check, then replace it.

    `edit` gets the document and the article as it is now; what it returns comes back in `result`.
    """
    if not SLUG_PATTERN.match(slug):
        raise WriteRefused([Diagnostic(Location(ARTICLES_DIR, 1), f"'{slug}' is not an article slug")])
    rel_path = annotation_path(slug)
    with site_lock(root):
        article = current_article(root, slug)
        target = root / rel_path
        old_text = _read(target, rel_path)
        try:
            document = AnnotationDocument(old_text if old_text is not None else "", rel_path)
        except ContentErrors as errors:
            raise WriteRefused(errors.diagnostics) from None
        result = edit(document, article)
        new_text = document.text()
        if new_text == (old_text or ""):  # nothing added, or already so: no file is written or created
            return Written(rel_path, result, changed=False)
        problems = check_annotations(root, slug, new_text)
        if problems:
            raise WriteRefused(problems)
        replace_file(target, new_text)
        return Written(rel_path, result, changed=True)


@contextlib.contextmanager
def site_lock(root: Path) -> Iterator[None]:
    """One writer at a time, across threads and processes (the preview, an import): a lock on the
    articles folder itself, so no lock file is left in the content."""
    folder = root / ARTICLES_DIR
    with _IN_PROCESS:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock


def current_article(root: Path, slug: str) -> Article:
    """The article as the build reads it (front matter, text and annotations); WriteRefused if it cannot be read."""
    md_path = f"{ARTICLES_DIR}/{slug}.md"
    if not (root / md_path).is_file():
        raise WriteRefused([Diagnostic(Location(md_path, 1), f"no article '{slug}': {md_path} does not exist")])
    with _shadow(root, slug, None, only_target=True) as shadow:
        try:
            content = load_content(shadow)
        except ContentErrors as errors:
            raise WriteRefused(errors.diagnostics) from None
    return next(a for a in content.articles if a.slug == slug)


def check_annotations(root: Path, slug: str, text: str) -> tuple[Diagnostic, ...]:
    """The errors the build would report for the article with this annotation text.

    Loading runs over the whole site (sources defined in other articles count); errors in other
    files were there before and are not this edit's. Anchoring and id checks run on this article.
    """
    targets = {f"{ARTICLES_DIR}/{slug}.md", annotation_path(slug)}
    content = None
    with _shadow(root, slug, text, only_target=False) as shadow:
        try:
            content = load_content(shadow)
        except ContentErrors as errors:
            own = [d for d in errors.diagnostics if d.at.path in targets]
            if own:
                return tuple(own)
    if content is None:  # another file does not load: check this article against the registries alone
        with _shadow(root, slug, text, only_target=True) as shadow:
            try:
                content = load_content(shadow)
            except ContentErrors as errors:
                return tuple(d for d in errors.diagnostics if d.at.path in targets) or errors.diagnostics
    article = next(a for a in content.articles if a.slug == slug)
    others = tuple(source for a in content.articles if a.slug != slug for source in a.local_sources)
    alone = Content(content.config, content.sources + others, content.topics, (article,))
    try:
        resolve(alone, include_drafts=True)
    except ContentErrors as errors:
        return errors.diagnostics
    return ()


@contextlib.contextmanager
def _shadow(root: Path, slug: str, text: str | None, only_target: bool) -> Iterator[Path]:
    """A site folder of links to the real files, with `text` as the article's annotation file."""
    with tempfile.TemporaryDirectory(prefix="digest-check-") as folder:
        shadow = Path(folder)
        (shadow / ARTICLES_DIR).mkdir(parents=True)
        (shadow / "site").mkdir()
        for rel_path in (CONFIG_PATH, SOURCES_PATH, TOPICS_PATH):
            if (root / rel_path).is_file():
                os.symlink((root / rel_path).resolve(), shadow / rel_path)
        annotations = f"{slug}.yaml"
        for entry in os.scandir(root / ARTICLES_DIR):
            if not entry.is_file() or entry.name == annotations and text is not None:
                continue
            if only_target and entry.name not in (f"{slug}.md", annotations):
                continue
            os.symlink(Path(entry.path).resolve(), shadow / ARTICLES_DIR / entry.name)
        if text is not None:
            (shadow / annotation_path(slug)).write_text(text, encoding="utf-8")
        yield shadow


def replace_file(target: Path, text: str) -> None:
    """Write `text` beside `target`, flush it to disk, then rename it over `target` in one step."""
    mode = target.stat().st_mode & 0o777 if target.exists() else None
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _read(target: Path, rel_path: str) -> str | None:
    if not target.exists():
        return None
    data = target.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WriteRefused([Diagnostic(Location(rel_path, 1), "not valid UTF-8: save the file as UTF-8")]) from None
    if "\r" in text:  # keep the file's own line endings out of the question: refuse rather than rewrite them all
        raise WriteRefused([Diagnostic(Location(rel_path, 1), "the file has Windows line endings; "
                                                               "save it with Unix ones (\\n) to edit it here")])
    return text


def today() -> datetime.date:
    return datetime.date.today()
