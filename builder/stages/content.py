"""The site's files -> its model: the only stage that reads them.

Reading is split in two so that the expensive half can run anywhere: `read_article_files` takes an
article's bytes off the disk, and `parse_article` (pure, picklable in and out) checks them and builds
the Article, wherever it runs. Every file is checked for shape and every problem collected, so one run
lists them all; references between files are checked later (resolve.py).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .anchoring import Selector
from .diagnostics import Collector, ContentErrors, Diagnostic, Location
from .model import (Article, Caveat, Citation, Claim, HistoryStep, Ref, RegisteredClaimant, SiteConfig, Source,
                    Status, Topic)
from .shapes import (ANNOTATIONS, CAVEAT, CLAIM, CLAIMANT, CONFIG, FRONT_MATTER, HISTORY_STEP, ID_PATTERN,
                     LOCAL_SOURCE, SLUG_PATTERN, SOURCE, TOPIC, Record, Shape, read_record)
from .yamlfile import YamlMap, parse_yaml, type_name

CONFIG_PATH = "site/config.yaml"
SOURCES_PATH = "content/sources.yaml"
TOPICS_PATH = "content/topics.yaml"
CLAIMANTS_PATH = "content/claimants.yaml"
ARTICLES_DIR = "content/articles"

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Registries:
    """The files every article is checked against: the config, sources.yaml, topics.yaml and claimants.yaml."""

    config: SiteConfig | None  # None when the config has errors (they are in `diagnostics`)
    sources: tuple[Source, ...]  # by id
    topics: tuple[Topic, ...]  # by id
    diagnostics: tuple[Diagnostic, ...]
    claimants: tuple[RegisteredClaimant, ...] = ()  # by id


@dataclass(frozen=True)
class ArticleFiles:
    """An article's two files as bytes: what `parse_article` needs, wherever it runs."""

    slug: str
    markdown: bytes
    annotations: bytes | None  # None: the article has no annotation file


def load_registries(root: Path) -> Registries:
    """Read and shape-check site/config.yaml and the registries: content/sources.yaml, topics.yaml, claimants.yaml."""
    problems = Collector()
    config = _load_config(root, problems)
    sources = _load_registry(root, SOURCES_PATH, SOURCE, problems, _source_from)
    topics = _load_registry(root, TOPICS_PATH, TOPIC, problems, _topic_from)
    claimants = _load_registry(root, CLAIMANTS_PATH, CLAIMANT, problems, _claimant_from)
    return Registries(config, tuple(sources), tuple(topics), tuple(problems.diagnostics), tuple(claimants))


def article_slugs(root: Path) -> tuple[dict[str, bool], tuple[Diagnostic, ...]]:
    """slug -> whether it has an annotation file, for every article in content/articles/; and the
    problems of the folder itself (a missing folder, annotation files without an article)."""
    problems = Collector()
    folder = root / ARTICLES_DIR
    if not folder.is_dir():
        problems.error(Location(ARTICLES_DIR, 1), f"no articles folder: create {ARTICLES_DIR}/ with one .md file per article")
        return {}, tuple(problems.diagnostics)
    with os.scandir(folder) as entries:  # one call for tens of thousands of files
        names = sorted(entry.name for entry in entries if entry.is_file())
    stems = {name[:-3] for name in names if name.endswith(".md")}
    name_set = set(names)
    for name in names:
        if name.endswith((".yaml", ".yml")) and name.rsplit(".", 1)[0] not in stems:
            problems.error(Location(f"{ARTICLES_DIR}/{name}", 1),
                           f"annotation file without an article: expected {ARTICLES_DIR}/{name.rsplit('.', 1)[0]}.md")
        elif name.endswith(".yml"):
            problems.error(Location(f"{ARTICLES_DIR}/{name}", 1), f"annotation files end in .yaml: rename it to {name[:-4]}.yaml")
    return {stem: f"{stem}.yaml" in name_set for stem in sorted(stems)}, tuple(problems.diagnostics)


def article_paths(slug: str) -> tuple[str, str]:
    """The article's Markdown and annotation files, relative to the site root."""
    return f"{ARTICLES_DIR}/{slug}.md", f"{ARTICLES_DIR}/{slug}.yaml"


def read_article_files(root: Path, slug: str, has_annotations: bool) -> ArticleFiles:
    markdown_path, annotations_path = article_paths(slug)
    return ArticleFiles(slug, (root / markdown_path).read_bytes(),
                        (root / annotations_path).read_bytes() if has_annotations else None)


def parse_article(files: ArticleFiles) -> tuple[Article | None, tuple[Diagnostic, ...]]:
    """Check an article's files and build the Article (None if it cannot be built); its problems."""
    problems = Collector()
    article = _parse_article(files, problems)
    return article, tuple(problems.diagnostics)


def decode(data: bytes, rel_path: str) -> str:
    """A file's text: UTF-8 (a BOM is dropped), line endings made '\\n'; ContentErrors if it is not UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise ContentErrors([Diagnostic(Location(rel_path, line, column),
                                        f"not valid UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8")]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(root: Path, rel_path: str) -> str:
    """A file of the site as text (see decode)."""
    return decode((root / rel_path).read_bytes(), rel_path)


def _parse_file(root: Path, rel_path: str, problems: Collector) -> Any:
    return _parse_bytes((root / rel_path).read_bytes(), rel_path, problems)


def _parse_bytes(data: bytes, rel_path: str, problems: Collector) -> Any:
    try:
        return parse_yaml(decode(data, rel_path), rel_path)
    except ContentErrors as errors:
        problems.diagnostics.extend(errors.diagnostics)
        return None


def _load_config(root: Path, problems: Collector) -> SiteConfig | None:
    if not (root / CONFIG_PATH).is_file():
        problems.error(Location(CONFIG_PATH, 1), f"no site configuration: create {CONFIG_PATH} with at least a 'title'")
        return None
    data = _parse_file(root, CONFIG_PATH, problems)
    if data is None:
        if not problems.errors:
            problems.error(Location(CONFIG_PATH, 1), "the site configuration is empty: it needs at least a 'title'")
        return None
    record = read_record(data, CONFIG, Location(CONFIG_PATH, 1), problems)
    if record is None or "title" not in record.values:
        return None
    statuses = tuple(Status(r.get("id"), r.get("label"), r.get("description", ""), r.get("rating"))
                     for r in record.get("statuses", ()) if r and "id" in r.values and "label" in r.values)
    if "statuses" in record.values:
        _reject_duplicates([(s.id, r.where("id")) for s, r in zip(statuses, record.get("statuses"))], "status", problems)
        if not record.get("statuses"):
            problems.error(record.where("statuses"), "'statuses' is empty: list at least one status, or remove it")
    sizes = record.get("page_size").values if record.get("page_size") else {}  # page_size_articles, ..._claims
    source_kinds = record.get("source_kinds", ())
    if "source_kinds" in record.values:
        _reject_duplicates(list(zip(source_kinds, record.item_at.get("source_kinds", ()))), "source kind", problems)
        if not source_kinds:
            problems.error(record.where("source_kinds"),
                           "'source_kinds' is empty: list at least one kind, or remove it to use the built-in list")
    return SiteConfig(
        title=record.get("title"),
        description=record.get("description", ""),
        language=record.get("language", "en"),
        base_url=record.get("base_url", ""),
        **({"statuses": statuses} if statuses else {}),
        **{f"page_size_{kind}": size for kind, size in sizes.items()},
        **({"source_kinds": tuple(source_kinds)} if source_kinds else {}),
    )


def _load_registry(root: Path, rel_path: str, shape: Shape, problems: Collector, make) -> list:
    """A mapping file of `id: {fields}` (sources.yaml, topics.yaml); a missing file is empty."""
    if not (root / rel_path).is_file():
        return []
    data = _parse_file(root, rel_path, problems)
    if data is None:
        return []
    if not isinstance(data, YamlMap):
        problems.error(data.at if hasattr(data, "at") else Location(rel_path, 1),
                       f"{rel_path} must map ids to {shape.name} fields, not {type_name(data)}")
        return []
    entries = []
    for entry_id, value in data.items():
        if not ID_PATTERN.match(entry_id):
            problems.error(data.key_at[entry_id], f"'{entry_id}' is not a valid {shape.name} id: "
                                                  "use lowercase letters, digits, and single '-' or '_' between them")
            continue
        record = read_record(value, shape, data.value_at[entry_id], problems)
        if _has(record, *shape.required_names()):
            entries.append(make(entry_id, record, data.key_at[entry_id]))
    return sorted(entries, key=lambda e: e.id)


def _source_from(source_id: str, record: Record, at: Location) -> Source:
    return Source(source_id, record.get("name"), record.get("kind", "other"), record.get("url", ""),
                  record.get("description", ""), at,
                  record.where("kind") if "kind" in record.values else None,
                  record.where("url") if "url" in record.values else None)


def _claimant_from(claimant_id: str, record: Record, at: Location) -> RegisteredClaimant:
    aliases = record.get("aliases", ())
    return RegisteredClaimant(claimant_id, record.get("name"), record.get("description", ""), record.get("url", ""),
                              tuple(aliases), at, tuple(record.item_at.get("aliases", ()))[:len(aliases)],
                              record.where("name"), record.where("url") if "url" in record.values else None)


def _topic_from(topic_id: str, record: Record, at: Location) -> Topic:
    return Topic(topic_id, record.get("title"), record.get("description", ""), at)


def _parse_article(files: ArticleFiles, problems: Collector) -> Article | None:
    slug = files.slug
    path, annotations_path = article_paths(slug)
    if not SLUG_PATTERN.match(slug):
        problems.error(Location(path, 1), f"article file name '{slug}.md' is not a valid slug: "
                                          "use lowercase letters, digits and single hyphens, like trump-xi-call.md")
        return None
    try:
        text = decode(files.markdown, path)
    except ContentErrors as errors:
        problems.diagnostics.extend(errors.diagnostics)
        return None
    split = _split_front_matter(text, path, problems)
    if split is None:
        return None
    front_text, body, body_line = split
    try:
        data = parse_yaml(front_text, path, line_offset=1)
    except ContentErrors as errors:
        problems.diagnostics.extend(errors.diagnostics)
        return None
    front = read_record(data, FRONT_MATTER, Location(path, 1), problems) if data is not None else None
    if data is None:
        problems.error(Location(path, 1), "front matter is empty: it needs at least 'title' and 'date'")
    claims, caveats, local_sources = (), (), ()
    if files.annotations is not None:
        claims, caveats, local_sources = _load_annotations(files.annotations, annotations_path, problems)
    if front is None or "title" not in front.values or "date" not in front.values:
        return None
    return Article(
        slug=slug,
        path=path,
        title=front.get("title"),
        date=front.get("date"),
        topics=_refs(front, "topics"),
        summary=front.get("summary", ""),
        source=Ref(front.get("source"), front.where("source")) if "source" in front.values else None,
        draft=front.get("draft", False),
        body=body,
        body_line=body_line,
        claims=claims,
        caveats=caveats,
        local_sources=local_sources,
        annotations_path=annotations_path if files.annotations is not None else None,
    )


def _split_front_matter(text: str, path: str, problems: Collector) -> tuple[str, str, int] | None:
    """(front matter YAML, Markdown body, 1-based line where the body starts)."""
    if not text.startswith("---\n"):
        problems.error(Location(path, 1), "an article starts with front matter: a '---' line, "
                                          "'title:' and 'date:', then another '---' line")
        return None
    end = _FRONT_MATTER_END.search(text, 4)
    if end is None:
        problems.error(Location(path, 1), "front matter is not closed: add a '---' line after it")
        return None
    front = text[4:end.start()]
    body_start = end.end() + 1
    body_line = text.count("\n", 0, body_start) + 1
    return front, text[body_start:], body_line


def _load_annotations(data_bytes: bytes, path: str, problems: Collector) -> tuple[tuple, tuple, tuple]:
    data = _parse_bytes(data_bytes, path, problems)
    if data is None:
        return (), (), ()
    record = read_record(data, ANNOTATIONS, Location(path, 1), problems)
    if record is None:
        return (), (), ()
    # An entry with a missing or invalid required field has been reported; leave it out.
    claims = tuple(_claim_from(r, problems) for r in record.get("claims", ()) if _has(r, *CLAIM.required_names()))
    caveats = tuple(_caveat_from(r, problems) for r in record.get("caveats", ()) if _has(r, *CAVEAT.required_names()))
    sources = tuple(_source_from(r.get("id"), r, r.at) for r in record.get("sources", ())
                    if _has(r, *LOCAL_SOURCE.required_names()))
    _reject_duplicates([(c.id, c.at) for c in claims], "claim", problems)
    _reject_duplicates([(c.id, c.at) for c in caveats], "caveat", problems)
    return claims, caveats, sources


def _has(record: Record | None, *names: str) -> bool:
    return record is not None and all(name in record.values for name in names)


def _refs(record: Record, name: str) -> tuple[Ref, ...]:
    locations = record.item_at.get(name, ())
    return tuple(Ref(item, at) for item, at in zip(record.get(name, ()), locations))


def _selector(record: Record, problems: Collector) -> Selector | None:
    if "quote" not in record.values:
        for name in ("prefix", "suffix"):
            if name in record.values:
                problems.error(record.where(name), f"'{name}' needs a 'quote' to go with it")
        return None
    return Selector(record.get("quote"), record.get("prefix", ""), record.get("suffix", ""))


def _claim_from(record: Record, problems: Collector) -> Claim:
    sources, citations = _sources_and_citations(record, problems)
    return Claim(
        id=record.get("id"),
        selector=Selector(record.get("quote"), record.get("prefix", ""), record.get("suffix", "")),
        claim=record.get("claim", ""),
        claimant=record.get("claimant", ""),
        status=Ref(record.get("status"), record.where("status")),
        sources=sources,
        topics=_refs(record, "topics"),
        note=record.get("note", ""),
        at=record.where("id"),
        quote_at=record.where("quote"),
        note_at=record.where("note"),
        updated=record.get("updated"),
        updated_at=record.where("updated") if "updated" in record.values else None,
        history=tuple(_history_step_from(r) for r in record.get("history", ())
                      if _has(r, *HISTORY_STEP.required_names())),
        citations=citations,
        claimant_at=record.where("claimant") if "claimant" in record.values else None,
    )


def _caveat_from(record: Record, problems: Collector) -> Caveat:
    sources, citations = _sources_and_citations(record, problems)
    return Caveat(
        id=record.get("id"),
        kind=record.get("kind"),
        text=record.get("text"),
        claims=_refs(record, "claims"),
        sources=sources,
        noted_by=_refs(record, "noted_by"),
        selector=_selector(record, problems),
        at=record.where("id"),
        quote_at=record.where("quote"),
        text_at=record.where("text"),
        date=record.get("date"),
        date_at=record.where("date") if "date" in record.values else None,
        citations=citations,
    )


def _history_step_from(record: Record) -> HistoryStep:
    return HistoryStep(record.get("date"), Ref(record.get("status"), record.where("status")), record.get("note", ""),
                       record.at, record.where("date"), record.where("note"))


def _sources_and_citations(record: Record, problems: Collector) -> tuple[tuple[Ref, ...], tuple[Citation, ...]]:
    """A `sources` list: every source it names, in order, and the cited documents among them."""
    refs: list[Ref] = []
    citations: list[Citation] = []
    for item in record.get("sources", ()):
        if isinstance(item, Ref):
            refs.append(item)
            continue
        ref = Ref(item.get("id"), item.where("id"))
        refs.append(ref)
        if "archive_date" in item.values and "archive_url" not in item.values:
            problems.error(item.where("archive_date"), "'archive_date' needs an 'archive_url' to go with it")
        citations.append(Citation(
            ref, item.get("url", ""), item.get("title", ""), item.get("archive_url", ""), item.get("archive_date"),
            item.get("accessed"), item.where("url") if "url" in item.values else None,
            item.where("archive_url") if "archive_url" in item.values else None))
    return tuple(refs), tuple(citations)


def _reject_duplicates(entries: list[tuple[str, Location]], what: str, problems: Collector) -> None:
    first_at: dict[str, Location] = {}
    for entry_id, at in entries:
        if entry_id in first_at:
            problems.error(at, f"duplicate {what} id '{entry_id}' (first used on line {first_at[entry_id].line})")
        else:
            first_at[entry_id] = at
