"""Sources and articles -> the external links they cite, each where it is written: what `digest check --links` checks.

Pure: the loaded content (and, for links inside YAML text, that file's text) in; frozen values out.
Source URLs are located by their YAML node; Markdown links in an article by markdown-it's token
map plus the line the body starts on. Markdown inside a YAML value (claim notes, caveat texts) is
folded by YAML, so its links are found again in the file's text, within that value's lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

from markdown_it.token import Token

from . import markup
from .diagnostics import Location
from .model import Article, RegisteredClaimant, Source

# What a link is, as a message names it.
SOURCE_URL = "source"
MARKDOWN_LINK = "link"
CITATION = "citation"  # a cited document's `url`
ARCHIVE = "archive"  # a citation's `archive_url`
CLAIMANT_URL = "claimant"  # a registered claimant's `url` (content/claimants.yaml)

_HTTP = re.compile(r"^https?://[^/?#\s]", re.IGNORECASE)


@dataclass(frozen=True)
class ExternalLink:
    url: str  # as written (http or https)
    at: Location
    kind: str  # SOURCE_URL, MARKDOWN_LINK, CITATION, ARCHIVE or CLAIMANT_URL
    source_id: str = ""  # the source a source URL or a citation belongs to
    archive_url: str = ""  # a citation's archived copy, "" if it has none
    original_url: str = ""  # for an ARCHIVE link: the document it is a copy of

    @property
    def request_url(self) -> str:
        """The URL a request is made for."""
        return without_fragment(self.url)


def without_fragment(url: str) -> str:
    """`url` without its #fragment, which never reaches the server: a page cited at two anchors is one check."""
    return url.split("#", 1)[0]


def is_external(url: str) -> bool:
    """Whether `url` is an absolute http(s) URL, the only kind the link checker requests."""
    return bool(_HTTP.match(url))


def external_links(sources: Iterable[Source], articles: Iterable[Article], annotation_texts: Mapping[str, str] | None = None,
                   citations: Iterable[ExternalLink] = ()) -> tuple[ExternalLink, ...]:
    """Every external http(s) link of the registry's sources and of the articles, in order of location.

    `annotation_texts` (path -> text of an annotation file) places links in claim notes and caveat
    texts on their own line; without it they are placed at the start of their note. `citations`
    are the CITATION and ARCHIVE links of documents cited by claims and caveats.
    """
    texts = annotation_texts or {}
    found: list[ExternalLink] = []
    found += _source_links(sources)
    for article in articles:
        found += _source_links(article.local_sources)
        found += _markdown_links(article.body, article.path, article.body_line)
        text = texts.get(article.annotations_path or "")
        for claim in article.claims:
            found += _links_in_yaml_markdown(claim.note, claim.note_at, text)
        for caveat in article.caveats:
            found += _links_in_yaml_markdown(caveat.text, caveat.text_at, text)
    found += [link for link in citations if is_external(link.url)]
    return tuple(sorted(found, key=lambda link: (link.at, link.url, link.kind)))


def citation_links(articles: Iterable[Article]) -> list[ExternalLink]:
    """The `url` and `archive_url` of every document the articles' claims and caveats cite."""
    found = []
    for article in articles:
        citations = [c for claim in article.claims for c in claim.citations]
        citations += [c for caveat in article.caveats for c in caveat.citations]
        for citation in citations:
            if citation.url:
                found.append(ExternalLink(citation.url, citation.url_at or citation.source.at, CITATION,
                                          citation.source.id, citation.archive_url))
            if citation.archive_url:
                found.append(ExternalLink(citation.archive_url, citation.archive_url_at or citation.source.at, ARCHIVE,
                                          citation.source.id, original_url=citation.url))
    return found


def claimant_links(registered: Iterable[RegisteredClaimant]) -> list[ExternalLink]:
    """The `url` of every registered claimant."""
    return [ExternalLink(entry.url, entry.url_at or entry.at, CLAIMANT_URL) for entry in registered
            if entry.url and is_external(entry.url)]


def _source_links(sources: Iterable[Source]) -> Iterator[ExternalLink]:
    for source in sources:
        if is_external(source.url):
            yield ExternalLink(source.url, source.url_at or source.at, SOURCE_URL, source_id=source.id)


def _markdown_links(markdown: str, path: str, first_line: int) -> list[ExternalLink]:
    """Links and images of an article body, at their line (exact) and the column of their URL."""
    lines = markdown.split("\n")
    links = []
    for url, line, written_at in _links_by_line(markup.parse(markdown).tokens, lines):
        links.append(ExternalLink(url, Location(path, first_line + line, written_at + 1), MARKDOWN_LINK))
    return links


def _links_by_line(tokens: Iterable[Token], lines: list[str]) -> Iterator[tuple[str, int, int]]:
    """(url, 0-based line, 0-based column) of each external link, in the order written."""
    for token in tokens:
        if token.type != "inline" or not token.children or not token.map:
            continue
        line = token.map[0]  # of the child at hand: each line break in the text starts a new one
        after = (line, 0)  # just past the last URL found, where the next one is looked for
        for index, child in enumerate(token.children):
            if child.type in ("softbreak", "hardbreak"):
                line += 1
                continue
            url = _url_of(child)
            if url is None or not is_external(url):
                continue
            start = max(after, (line, 0))
            # A reference link's URL is in its definition, elsewhere: it is placed at its "[".
            found = (_find_written(url, lines, start, token.map[1])
                     or _find_label(token.children, index, lines, start, token.map[1]))
            if found is None:
                found = line, 0
            after = (found[0], found[1] + 1)
            yield url, found[0], found[1]


def _url_of(child: Token) -> str | None:
    if child.type == "link_open":
        return str(child.attrGet("href") or "")
    if child.type == "image":
        return str(child.attrGet("src") or "")
    return None


def _written_forms(url: str) -> list[str]:
    """How a URL markdown-it normalised may have been written: as it is, or with %-escapes decoded."""
    decoded = markup.link_as_written(url)
    return [url] if decoded == url else [url, decoded]


def _find_written(url: str, lines: list[str], start: tuple[int, int], end_line: int) -> tuple[int, int] | None:
    """(line, column) of `url` written as a link destination (after "](" or "<"), from `start` to end_line."""
    pattern = re.compile(r"(?:\]\(\s*<?|<)(" + "|".join(re.escape(form) for form in _written_forms(url)) + ")")
    for number in range(start[0], min(end_line, len(lines))):
        match = pattern.search(lines[number], start[1] if number == start[0] else 0)
        if match:
            return number, match.start(1)
    return None


def _find_label(children: list[Token], index: int, lines: list[str], start: tuple[int, int],
                end_line: int) -> tuple[int, int] | None:
    """(line, column) of a reference link's "[label" (an image's "![alt"), from `start` to end_line."""
    child = children[index]
    label = child.content if child.type == "image" else next(
        (c.content for c in children[index + 1:] if c.type == "text" and c.content), "")
    if not label:
        return None
    written = ("![" if child.type == "image" else "[") + label
    for number in range(start[0], min(end_line, len(lines))):
        position = lines[number].find(written, start[1] if number == start[0] else 0)
        if position >= 0:
            return number, position
    return None


def _links_in_yaml_markdown(markdown: str, value_at: Location, file_text: str | None) -> list[ExternalLink]:
    """Links of a claim note or caveat text (Markdown in a YAML value), each on its line if it can be found."""
    urls = [url for url, _line, _column in _links_by_line(markup.parse(markdown).tokens, markdown.split("\n"))]
    if not urls:
        return []
    lines = file_text.split("\n") if file_text is not None else []
    end_line = _value_end(lines, value_at)
    after = (value_at.line - 1, value_at.column - 1)
    links = []
    for url in urls:
        found = _find_written(url, lines, after, end_line)
        if found is None:  # not written as it was parsed (a reference link, an escape): the value's start
            links.append(ExternalLink(url, value_at, MARKDOWN_LINK))
            continue
        after = (found[0], found[1] + 1)
        links.append(ExternalLink(url, Location(value_at.path, found[0] + 1, found[1] + 1), MARKDOWN_LINK))
    return links


def _value_end(lines: list[str], value_at: Location) -> int:
    """The 0-based line after a YAML value that starts at `value_at`: the first later line, not blank,
    that is indented no deeper than its key (a block or plain scalar's lines are indented deeper)."""
    start = value_at.line - 1
    if start >= len(lines):
        return start
    head = lines[start][:value_at.column - 1]
    key_column = len(head) - len(head.lstrip(" -"))  # "  - note: ..." -> the key starts after "- "
    for number in range(start + 1, len(lines)):
        text = lines[number]
        if text.strip() and not text.lstrip().startswith("#") and len(text) - len(text.lstrip(" ")) <= key_column:
            return number
    return len(lines)
