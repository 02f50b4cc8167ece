"""Write an article's annotation file without ever breaking the digest.

Each write runs under a lock, reads the file afresh, applies the edits to its round-trip tree
(document.py), checks the new text with the build's own stages (the article parsed and anchored as
`digest build` does, its references checked against the registry), and only then replaces the
file atomically. A refused write raises WriteRefused with the located diagnostics and leaves every
file as it was.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from ..stages.articles import anchor_article
from ..stages.content import ARTICLES_DIR, ArticleFiles, article_slugs, load_registries, parse_article, read_article_files
from ..stages.diagnostics import ContentErrors, Diagnostic, Location
from ..stages.model import Article, Source
from ..stages.resolve import check_references, cited, merge_sources
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
    article, problems = parse_article(read_article_files(root, slug, (root / annotation_path(slug)).is_file()))
    if article is None or any(d.severity == "error" for d in problems):
        raise WriteRefused([d for d in problems if d.severity == "error"])
    return article


def check_annotations(root: Path, slug: str, text: str) -> tuple[Diagnostic, ...]:
    """The errors the build would report for the article with this annotation text: it is parsed and
    anchored as `digest build` does, and its references checked against the registry and the sources
    other articles define. Errors in other files were there before and are not this edit's."""
    md_path = f"{ARTICLES_DIR}/{slug}.md"
    files = ArticleFiles(slug, (root / md_path).read_bytes(), text.encode("utf-8"))
    article, problems = parse_article(files)
    if article is None or any(d.severity == "error" for d in problems):
        return tuple(d for d in problems if d.severity == "error")
    registries = load_registries(root)
    if registries.config is None:
        return tuple(d for d in registries.diagnostics if d.severity == "error")
    anchored, problems = anchor_article(article, registries.config)
    errors = [d for d in problems if d.severity == "error"]
    defined = sorted([*_sources_of_other_articles(root, slug), *((slug, s) for s in article.local_sources)],
                     key=lambda item: (item[0], item[1].id))
    sources, clashes = merge_sources(registries.sources, defined)
    errors += [d for d in clashes if d.at.path == annotation_path(slug)]
    errors += check_references(cited(article), sources, {t.id for t in registries.topics},
                               {s.id for s in registries.config.statuses})
    return tuple(sorted(errors))


def known_sources(root: Path, article: Article, registered: tuple[Source, ...]) -> list[Source]:
    """Every source an annotation of `article` may cite: the registry's, other articles' own and its own, by id."""
    found = {s.id: s for s in registered}
    for _, source in _sources_of_other_articles(root, article.slug):
        found.setdefault(source.id, source)
    for source in article.local_sources:
        found.setdefault(source.id, source)
    return [found[source_id] for source_id in sorted(found)]


_DEFINES_SOURCES = re.compile(rb"^sources\s*:", re.MULTILINE)


def _sources_of_other_articles(root: Path, slug: str) -> list[tuple[str, Source]]:
    """(slug, source) for the sources other articles define in their annotation files. Only the
    files that have a top-level `sources:` key are parsed: few do."""
    found = []
    slugs, _ = article_slugs(root)
    for other, has_annotations in slugs.items():
        if other == slug or not has_annotations:
            continue
        if _DEFINES_SOURCES.search((root / annotation_path(other)).read_bytes()):
            article, _ = parse_article(read_article_files(root, other, True))
            if article is not None:
                found += [(other, source) for source in article.local_sources]
    return found


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
