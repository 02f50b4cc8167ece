"""The content format, declared once: which keys each file may hold and of what type.

`read_record` checks a YAML mapping against a Shape and collects located errors; the
same declarations document the format (`digest schema` can be generated from them).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from .diagnostics import Collector, Location, did_you_mean
from .model import DEFAULT_SOURCE_KINDS, Ref
from .yamlfile import YamlList, YamlMap, type_name

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WEB_URL_PATTERN = re.compile(r"^https?://[^/\s?#]+[^\s]*$", re.IGNORECASE)
LANGUAGE_PATTERN = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
SAFE_SCHEMES = ("http", "https", "mailto")
SOURCE_KINDS = DEFAULT_SOURCE_KINDS  # unless site/config.yaml lists its own `source_kinds`
CAVEAT_KINDS = ("omission", "contradiction", "context", "correction")

# Keys that other tools use for what this format calls otherwise: "did you mean" by meaning.
_KEY_SYNONYMS = {"tags": "topics", "categories": "topics", "category": "topics", "topic": "topics",
                 "link": "url", "href": "url", "author": "claimant", "excerpt": "summary",
                 "published": "date", "text": "quote", "rating": "status",
                 # a claim's verdict over time, and Wikipedia's citation template names
                 "date": "updated", "modified": "updated", "verdicts": "history", "previous": "history",
                 "archive": "archive_url", "archived": "archive_url", "archive-url": "archive_url",
                 "archiveurl": "archive_url", "archive-date": "archive_date", "archivedate": "archive_date",
                 "access-date": "accessed", "accessdate": "accessed", "access_date": "accessed",
                 "source": "sources", "website": "url", "homepage": "url", "alias": "aliases", "on": "date",
                 "when": "date"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text | markdown | id | ids | texts | date | bool | url | absolute-url | web-url | language | choice
               # | source-kind | records | record | citations | rating | count
    description: str
    required: bool = False
    choices: tuple[str, ...] = ()
    shape: "Shape | None" = None  # the items of a `records` field, or the value of a `record` one


@dataclass(frozen=True)
class Shape:
    name: str  # how an error names the thing: "claim", "front matter"
    fields: tuple[Field, ...]

    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def required_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)


@dataclass(frozen=True)
class Record:
    """A checked mapping: typed values plus where each came from."""

    at: Location
    values: Mapping[str, Any]
    value_at: Mapping[str, Location]
    item_at: Mapping[str, tuple[Location, ...]] = field(default_factory=dict)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def where(self, name: str) -> Location:
        return self.value_at.get(name, self.at)


STATUS = Shape("status", (
    Field("id", "id", "Identifier used in claims' `status`.", required=True),
    Field("label", "text", "How the status reads on the page.", required=True),
    Field("description", "text", "What the status means, shown in the legend."),
    Field("rating", "rating", "1 (worst) to 5 (best): publishes a ClaimReview with this rating for claims "
                              "of this status. Leave it out for statuses that are not a verdict."),
))

PAGE_SIZE = Shape("page size", (
    Field("articles", "count", "Articles per index page (20 unless set). Pages count from the oldest, so the "
                               "first page, the newest, holds up to twice as many."),
    Field("claims", "count", "Claims, caveats, documents, updates or claimants per index page (50 unless set), "
                             "counted the same way."),
))

CONFIG = Shape("site configuration", (
    Field("title", "text", "The digest's name.", required=True),
    Field("description", "text", "One sentence about the digest."),
    Field("language", "language", "Language tag of the content, e.g. `en` (the default) or `fr-CA`."),
    Field("base_url", "absolute-url", "Absolute URL the site is published at (feeds, canonical links)."),
    Field("statuses", "records", "The claim status scale, from best to worst.", shape=STATUS),
    Field("page_size", "record", "How many items each page of an index (home, topics, sources, discrepancies, "
                                 "claimants, verdicts, updates) lists.", shape=PAGE_SIZE),
    Field("source_kinds", "ids", "The kinds a source may be, replacing the built-in list: "
                                 + ", ".join(SOURCE_KINDS) + "."),
))

FRONT_MATTER = Shape("front matter", (
    Field("title", "text", "Headline.", required=True),
    Field("date", "date", "Publication date, ISO format (2026-02-04).", required=True),
    Field("topics", "ids", "Topic ids from content/topics.yaml."),
    Field("summary", "text", "One or two sentences for indexes."),
    Field("source", "id", "Id of the outlet the text comes from."),
    Field("draft", "bool", "Leave the article out of the build unless --drafts is given."),
))

CITATION = Shape("citation", (
    Field("id", "id", "The source the document belongs to.", required=True),
    Field("url", "web-url", "The document's address (http or https)."),
    Field("title", "text", "The document's title."),
    Field("archive_url", "web-url", "An archived copy, e.g. on the Wayback Machine (http or https)."),
    Field("archive_date", "date", "When the archived copy was made."),
    Field("accessed", "date", "When the editor read the document."),
))

HISTORY_STEP = Shape("history step", (
    Field("date", "date", "When this verdict was given.", required=True),
    Field("status", "id", "The verdict then: a status id from the scale.", required=True),
    Field("note", "markdown", "Why (Markdown)."),
))

CLAIM = Shape("claim", (
    Field("id", "id", "Unique within the article.", required=True),
    Field("quote", "text", "Text of the article as a reader sees it.", required=True),
    Field("prefix", "text", "Text just before the quote, to choose one of several occurrences."),
    Field("suffix", "text", "Text just after the quote, to choose one of several occurrences."),
    Field("claim", "text", "The claim in the editor's words."),
    Field("claimant", "text", "Who makes the claim."),
    Field("status", "id", "A status id from the scale.", required=True),
    Field("updated", "date", "When the current status was given (default: the article's date)."),
    Field("history", "records", "Earlier verdicts, oldest first.", shape=HISTORY_STEP),
    Field("sources", "citations", "The sources that report the claim: ids, or citations of one of "
                                  "their documents.", required=True, shape=CITATION),
    Field("topics", "ids", "Topic ids."),
    Field("note", "markdown", "The editor's note (Markdown)."),
))

CAVEAT = Shape("caveat", (
    Field("id", "id", "Unique within the article.", required=True),
    Field("kind", "choice", "What sort of caveat.", required=True, choices=CAVEAT_KINDS),
    Field("text", "markdown", "The caveat (Markdown).", required=True),
    Field("claims", "ids", "Ids of the claims it qualifies."),
    Field("sources", "citations", "Sources the caveat is about: for an omission or contradiction, "
                                  "the sources that omit or contradict the claims (ids or citations).",
          shape=CITATION),
    Field("noted_by", "ids", "Sources that point the caveat out (an analyst, a fact-checker)."),
    Field("quote", "text", "Optional anchor in the article text."),
    Field("prefix", "text", "Text just before the quote."),
    Field("suffix", "text", "Text just after the quote."),
    Field("date", "date", "When the caveat was added (a dated correction is listed under updates)."),
))

SOURCE = Shape("source", (
    Field("name", "text", "Display name.", required=True),
    Field("kind", "source-kind", "What sort of source: one of the config's `source_kinds` (default: "
                                 + ", ".join(SOURCE_KINDS) + ")."),
    Field("url", "url", "Home page or the exact document."),
    Field("description", "text", "One sentence about the source."),
))

LOCAL_SOURCE = Shape("source", (Field("id", "id", "Source id.", required=True),) + SOURCE.fields)

TOPIC = Shape("topic", (
    Field("title", "text", "Display name.", required=True),
    Field("description", "text", "One sentence about the topic."),
))

CLAIMANT = Shape("claimant", (
    Field("name", "text", "The claimant's name as pages show it.", required=True),
    Field("description", "text", "One sentence about the claimant."),
    Field("url", "url", "The claimant's own page or profile."),
    Field("aliases", "texts", "Other names claims give the claimant: they all lead to one page."),
))

ANNOTATIONS = Shape("annotation file", (
    Field("claims", "records", "Claims made in the article.", shape=CLAIM),
    Field("caveats", "records", "Omissions, contradictions, context and corrections.", shape=CAVEAT),
    Field("sources", "records", "Sources defined for this article only.", shape=LOCAL_SOURCE),
))


MAX_COUNT = 10_000

_TEXT_KINDS = ("text", "markdown", "id", "url", "absolute-url", "web-url", "language", "choice", "source-kind")


def unsafe_url_reason(url: str) -> str | None:
    """Why a URL from content may not be linked, or None if it is http(s), mailto or relative."""
    # Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
    squeezed = re.sub(r"[\x00-\x20\x7f]+", "", url)
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", squeezed)
    if match and match.group(1).lower() not in SAFE_SCHEMES:
        return f"URL scheme '{match.group(1)}:' is not allowed (use http, https, mailto or a relative link)"
    return None


def read_record(value: Any, shape: Shape, at: Location, problems: Collector) -> Record | None:
    """Check a mapping against `shape`; report every problem and return what was valid."""
    if not isinstance(value, YamlMap):
        problems.error(at, f"{shape.name} must be a mapping of keys to values, not {type_name(value)}")
        return None
    known = shape.field_names()
    values: dict[str, Any] = {}
    item_at: dict[str, tuple[Location, ...]] = {}
    for key in value:
        if key not in known:
            synonym = _KEY_SYNONYMS.get(key)
            hint = f" (did you mean '{synonym}'?)" if synonym in known else did_you_mean(key, known)
            problems.error(value.key_at[key], f"unknown key '{key}' in {shape.name}{hint}")
    for spec in shape.fields:
        if spec.name not in value or value[spec.name] is None:
            if spec.required:
                problems.error(value.at, f"{shape.name} is missing required key '{spec.name}'")
            continue
        raw = value[spec.name]
        if spec.kind in _TEXT_KINDS and not isinstance(raw, str) and spec.name in value.scalar_text:
            # A text field takes a scalar as written: `status: false`, `claimant: 45`, `title: 2026`.
            raw = value.scalar_text[spec.name]
        checked = _check_value(raw, spec, value.value_at[spec.name], problems)
        if checked is not None:
            values[spec.name] = checked
            if isinstance(value[spec.name], YamlList):
                item_at[spec.name] = tuple(value[spec.name].item_at)
    return Record(value.at, values, dict(value.value_at), item_at)


def _check_value(raw: Any, spec: Field, at: Location, problems: Collector) -> Any:
    def wrong(expected: str) -> None:
        problems.error(at, f"'{spec.name}' must be {expected}, not {type_name(raw)}")

    kind = spec.kind
    if kind in _TEXT_KINDS:
        if not isinstance(raw, str):
            return wrong("text")
        if kind != "markdown" and not raw.strip():
            return problems.error(at, f"'{spec.name}' is empty")
        if kind == "id" and not ID_PATTERN.match(raw):
            return problems.error(at, f"'{spec.name}' '{raw}' is not a valid id: use lowercase letters, "
                                      "digits, and single '-' or '_' between them")
        if kind == "choice" and raw not in spec.choices:
            return problems.error(at, f"'{spec.name}' '{raw}' is not one of {', '.join(spec.choices)}"
                                      f"{did_you_mean(raw, spec.choices)}")
        if kind in ("url", "absolute-url"):
            reason = unsafe_url_reason(raw)
            if reason:
                return problems.error(at, reason)
            if kind == "absolute-url" and not re.match(r"^https?://[^/\s]+", raw):
                return problems.error(at, f"'{spec.name}' must be an absolute http(s) URL, like https://example.org/digest/")
        if kind == "web-url" and not WEB_URL_PATTERN.match(raw):
            return problems.error(at, f"'{spec.name}' must be an http or https address, like "
                                      f"https://example.org/report.pdf, not '{raw}'")
        if kind == "language" and not LANGUAGE_PATTERN.match(raw):
            return problems.error(at, f"'{spec.name}' '{raw}' is not a language tag like 'en' or 'pt-BR'")
        return raw
    if kind == "rating":
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 5:
            return problems.error(at, f"'{spec.name}' must be a whole number from 1 (worst) to 5 (best), not '{raw}'")
        return raw
    if kind == "count":
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_COUNT:
            return problems.error(at, f"'{spec.name}' must be a whole number from 1 to {MAX_COUNT}, not '{raw}'")
        return raw
    if kind == "record":
        assert spec.shape is not None
        return read_record(raw, spec.shape, at, problems)
    if kind == "bool":
        return raw if isinstance(raw, bool) else wrong("true or false")
    if kind == "date":
        if isinstance(raw, datetime.datetime):
            return raw.date()
        if isinstance(raw, datetime.date):
            return raw
        if isinstance(raw, str):
            try:
                return datetime.date.fromisoformat(raw.strip())
            except ValueError:
                pass
        return problems.error(at, f"'{spec.name}' must be a date like 2026-02-04, not '{raw}'")
    if kind == "ids":
        if not isinstance(raw, YamlList):
            return wrong("a list of ids")
        ids = []
        for item, item_at, item_text in zip(raw, raw.item_at, raw.scalar_text):
            item = item_text if item_text is not None and item is not None else item
            if not isinstance(item, str) or not ID_PATTERN.match(item):
                problems.error(item_at, f"'{spec.name}' holds '{item}', which is not a valid id")
            else:
                ids.append(item)
        if spec.required and not raw:
            problems.error(at, f"'{spec.name}' needs at least one id")
        return tuple(ids)
    if kind == "texts":
        if not isinstance(raw, YamlList):
            return wrong("a list of text")
        texts = []
        for item, item_at, item_text in zip(raw, raw.item_at, raw.scalar_text):
            item = item_text if item_text is not None and item is not None else item
            if not isinstance(item, str) or not item.strip():
                problems.error(item_at, f"'{spec.name}' holds {type_name(item) if not isinstance(item, str) else 'empty text'}"
                                        ", where text is expected")
            else:
                texts.append(item)
        return tuple(texts)
    if kind == "records":
        if not isinstance(raw, YamlList):
            return wrong("a list")
        assert spec.shape is not None
        return tuple(read_record(item, spec.shape, item_at, problems) for item, item_at in zip(raw, raw.item_at))
    if kind == "citations":  # ids, as for "ids", or citation mappings among them
        if not isinstance(raw, YamlList):
            return wrong("a list of ids")
        assert spec.shape is not None
        items: list[Ref | Record] = []  # an id with where it was written, or a checked citation
        for item, item_at, item_text in zip(raw, raw.item_at, raw.scalar_text):
            if isinstance(item, YamlMap):
                record = read_record(item, spec.shape, item_at, problems)
                if record is not None and "id" in record.values:
                    items.append(record)
                continue
            item = item_text if item_text is not None and item is not None else item
            if not isinstance(item, str) or not ID_PATTERN.match(item):
                problems.error(item_at, f"'{spec.name}' holds '{item}', which is not a valid id")
            else:
                items.append(Ref(item, item_at))
        if spec.required and not raw:
            problems.error(at, f"'{spec.name}' needs at least one id")
        return tuple(items)
    raise AssertionError(f"unknown field kind {kind}")
