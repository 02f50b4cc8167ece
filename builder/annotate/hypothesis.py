"""`digest import hypothesis`: annotations made with Hypothesis, written into the articles' annotation files.

Reads the client's JSON export ({export_date, export_userid, client_version, annotations}) or a
plain list of annotations as the API returns them. Each annotation's TextQuoteSelector becomes a
quote with the context trimmed to what disambiguates (selectors.py); its text the claim (first
paragraph) and note (the rest); its tags `status:`, `claimant:`, `source:`, `topic:` and `kind:`
(a caveat) the other fields. Ids come from the annotation's id, so a second import adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..stages.content import ARTICLES_DIR, load_registries
from ..stages.diagnostics import Diagnostic, Location, did_you_mean
from ..stages.model import Article
from ..stages.shapes import CAVEAT_KINDS, SLUG_PATTERN
from .document import AnnotationDocument, NewCaveat, NewClaim
from .selectors import ArticleText, Unplaceable, place_quote
from .writer import WriteRefused, edit_annotations, known_sources

_ARTICLE_URI = re.compile(r"/articles/([^/?#]+)/?(?:index\.html)?(?:[?#].*)?$")


@dataclass(frozen=True)
class Annotation:
    """What digest reads of one Hypothesis annotation."""

    id: str
    at: Location  # where it is in the export file
    uri: str
    exact: str | None  # None: a page note, with no quoted text
    prefix: str
    suffix: str
    text: str
    tags: tuple[str, ...]
    is_reply: bool


@dataclass(frozen=True)
class ImportReport:
    imported: tuple[tuple[str, str], ...]  # (annotation file, entry id)
    already: tuple[tuple[str, str], ...]  # imported before: nothing added
    replies: int  # replies to other annotations carry no quote of their own: left out
    refused: tuple[Diagnostic, ...]  # not imported, each located in the export and saying why


class ExportUnreadable(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


def entry_id(annotation_id: str) -> str:
    """The claim or caveat id for a Hypothesis annotation: the same on every import."""
    return "hyp-" + hashlib.sha256(annotation_id.encode("utf-8")).hexdigest()[:12]


def read_export(path: Path, display_path: str) -> list[Annotation]:
    """The annotations of an export file, or ExportUnreadable (located) if it is not one."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ExportUnreadable(Diagnostic(Location(display_path, 1), f"cannot read the export: {error}")) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ExportUnreadable(Diagnostic(Location(display_path, error.lineno, error.colno),
                                          f"not valid JSON: {error.msg}")) from None
    if isinstance(data, dict) and isinstance(data.get("annotations"), list):
        rows = data["annotations"]
    elif isinstance(data, dict) and isinstance(data.get("rows"), list):  # a search API response
        rows = data["rows"]
    elif isinstance(data, list):
        rows = data
    else:
        raise ExportUnreadable(Diagnostic(Location(display_path, 1),
                                          "not a Hypothesis export: expected an object with 'annotations' "
                                          "(the client's export) or a list of annotations (the API's)"))
    annotations = []
    for index, row in enumerate(rows):
        at = _locate(raw, display_path, row.get("id") if isinstance(row, dict) else None)
        if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not row["id"]:
            raise ExportUnreadable(Diagnostic(at, f"annotation {index + 1} has no 'id': not a Hypothesis annotation"))
        annotations.append(_annotation(row, at))
    return annotations


def import_hypothesis(root: Path, annotations: list[Annotation], article: str | None = None,
                      default_source: str | None = None) -> ImportReport:
    """Write every annotation that anchors and names known ids; report the others with their reason."""
    refused: list[Diagnostic] = []
    by_article: dict[str, list[Annotation]] = defaultdict(list)
    replies = 0
    for annotation in annotations:
        if annotation.is_reply:
            replies += 1
            continue
        slug = article or _slug_of(annotation.uri)
        if slug is None:
            refused.append(Diagnostic(annotation.at, f"annotation {annotation.id}: its uri '{annotation.uri}' does not "
                                                     "end in /articles/<slug>/; choose the article with --article"))
        elif not SLUG_PATTERN.match(slug) or not (root / ARTICLES_DIR / f"{slug}.md").is_file():
            refused.append(Diagnostic(annotation.at, f"annotation {annotation.id}: no article '{slug}' "
                                                     f"({ARTICLES_DIR}/{slug}.md does not exist)"))
        else:
            by_article[slug].append(annotation)
    imported: list[tuple[str, str]] = []
    already: list[tuple[str, str]] = []
    for slug, group in sorted(by_article.items()):
        for outcome in _import_into(root, slug, group, default_source):
            if isinstance(outcome, Diagnostic):
                refused.append(outcome)
            elif outcome[0] == "added":
                imported.append(outcome[1:])
            else:
                already.append(outcome[1:])
    return ImportReport(tuple(imported), tuple(already), replies, tuple(refused))


def _import_into(root: Path, slug: str, group: list[Annotation], default_source: str | None) -> list:
    """All of an article's annotations in one write; if the build refuses that, one at a time."""
    def edit(document: AnnotationDocument, article: Article) -> list:
        text = ArticleText.of(article)
        known = _known_ids(root, article)
        return [_add(document, annotation, text, known, default_source) for annotation in group]

    try:
        written = edit_annotations(root, slug, edit)
    except WriteRefused as refused:
        if len(group) > 1:
            return [outcome for annotation in group for outcome in _import_into(root, slug, [annotation], default_source)]
        messages = "; ".join(d.message for d in refused.diagnostics)
        return [Diagnostic(group[0].at, f"annotation {group[0].id}: the build refuses it: {messages}")]
    return [(kind, written.path, value) if kind in ("added", "already") else value
            for kind, value in written.result]


def _add(document: AnnotationDocument, annotation: Annotation, text: ArticleText, known: dict[str, set[str]],
         default_source: str | None) -> tuple[str, Any]:
    """('added', id), ('already', id), or ('refused', Diagnostic) for one annotation."""
    new_id = entry_id(annotation.id)
    if new_id in document.ids():
        return "already", new_id

    def refuse(reason: str) -> tuple[str, Diagnostic]:
        return "refused", Diagnostic(annotation.at, f"annotation {annotation.id}: {reason}")

    tags = _tags(annotation.tags)
    for name, registry in (("status", "statuses"), ("source", "sources"), ("topic", "topics")):
        for value in tags.get(name, ()):
            if value not in known[registry]:
                return refuse(f"unknown {name} '{value}'{did_you_mean(value, known[registry])} in its tag '{name}:{value}'")
    sources = tuple(tags.get("source", ())) or ((default_source,) if default_source else ())
    if default_source and default_source not in known["sources"]:
        return refuse(f"unknown source '{default_source}' given with --source{did_you_mean(default_source, known['sources'])}")
    if not sources:
        return refuse("no source: tag it source:<id>, or give one for all with --source")
    selector = None
    if annotation.exact is not None:
        try:
            selector = place_quote(text, annotation.exact, annotation.prefix, annotation.suffix)
        except Unplaceable as unplaceable:
            return refuse(unplaceable.message)
    kinds = tags.get("kind", ())
    if kinds:
        if kinds[0] not in CAVEAT_KINDS:
            return refuse(f"unknown caveat kind '{kinds[0]}'{did_you_mean(kinds[0], CAVEAT_KINDS)} "
                          f"(kinds: {', '.join(CAVEAT_KINDS)})")
        if not annotation.text.strip():
            return refuse("a caveat needs text: the annotation has none")
        return "added", document.add_caveat(NewCaveat(kinds[0], annotation.text.strip(), selector,
                                                      sources=sources, id=new_id))
    if selector is None:
        return refuse("a page note quotes no text: a claim needs a quote (tag it kind:context to import it "
                      "as a caveat on the whole article)")
    statuses = tags.get("status", ())
    if not statuses:
        return refuse(f"no status: tag it status:<id> (the scale is: {', '.join(sorted(known['statuses']))})")
    claim, note = _claim_and_note(annotation.text)
    return "added", document.add_claim(NewClaim(selector, statuses[0], sources, claim=claim,
                                                claimant=(tags.get("claimant") or [""])[0],
                                                topics=tuple(tags.get("topic", ())), note=note, id=new_id))


def _known_ids(root: Path, article: Article) -> dict[str, set[str]]:
    registries = load_registries(root)
    if registries.config is None:  # a broken config: the writer's check reports it
        return {"statuses": set(), "sources": set(), "topics": set()}
    return {"statuses": {s.id for s in registries.config.statuses},
            "sources": {s.id for s in known_sources(root, article, registries.sources)},
            "topics": {t.id for t in registries.topics}}


def _tags(tags: tuple[str, ...]) -> dict[str, list[str]]:
    """`status:false`, `source:xinhua`, ... -> {'status': ['false'], 'source': ['xinhua']}; other tags are the editor's own."""
    found: dict[str, list[str]] = defaultdict(list)
    for tag in tags:
        name, colon, value = tag.partition(":")
        name = name.strip().lower()
        if colon and name in ("status", "claimant", "source", "topic", "kind") and value.strip():
            found[name].append(value.strip())
    return found


def _claim_and_note(text: str) -> tuple[str, str]:
    """The first paragraph is the claim, the rest the note."""
    paragraphs = re.split(r"\n[ \t]*\n", text.strip(), maxsplit=1)
    claim = " ".join(paragraphs[0].split())
    return claim, (paragraphs[1].strip() if len(paragraphs) > 1 else "")


def _slug_of(uri: str) -> str | None:
    match = _ARTICLE_URI.search(uri)
    return match.group(1) if match else None


def _annotation(row: dict, at: Location) -> Annotation:
    targets = row.get("target") if isinstance(row.get("target"), list) else []
    quote = next((s for t in targets if isinstance(t, dict) for s in (t.get("selector") or [])
                  if isinstance(s, dict) and s.get("type") == "TextQuoteSelector" and isinstance(s.get("exact"), str)),
                 None)
    source = next((t.get("source") for t in targets if isinstance(t, dict) and isinstance(t.get("source"), str)), "")
    tags = tuple(tag for tag in row.get("tags") or () if isinstance(tag, str))
    return Annotation(
        id=row["id"], at=at, uri=row.get("uri") if isinstance(row.get("uri"), str) else source,
        exact=quote["exact"] if quote else None,
        prefix=quote.get("prefix") or "" if quote else "", suffix=quote.get("suffix") or "" if quote else "",
        text=row.get("text") if isinstance(row.get("text"), str) else "", tags=tags,
        is_reply=bool(row.get("references")))


def _locate(raw: str, display_path: str, annotation_id: Any) -> Location:
    """Where an annotation's `"id": "…"` is in the file: its messages point there."""
    if isinstance(annotation_id, str):
        match = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(annotation_id)), raw)
        if match:
            line = raw.count("\n", 0, match.start()) + 1
            return Location(display_path, line, match.start() - (raw.rfind("\n", 0, match.start()) + 1) + 1)
    return Location(display_path, 1)

