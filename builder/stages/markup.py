"""Markdown -> HTML, with annotation highlights woven into the rendered text.

Highlights are placed on markdown-it's token stream, not on HTML strings: each text
leaf that an annotation covers is split, and every piece is wrapped in its own
<mark> elements, so a highlight that crosses **bold**, _italic_ or a link, or that
overlaps another highlight, always nests into valid HTML.
"""

from __future__ import annotations

import copy
import html
from dataclasses import dataclass
from typing import Iterable

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .anchoring import BLOCK_BREAK, Span
from .shapes import unsafe_url_reason


def _new_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    # Keep every link so that an unsafe one becomes an error with its line (see link_problems)
    # instead of silently turning into plain text.
    parser.validateLink = lambda url: True
    return parser


_PARSER = _new_parser()


@dataclass(frozen=True)
class Segment:
    block: int  # index of the inline token in the token stream
    child: int  # index of the text leaf among its children
    start: int  # offset of the leaf in the rendered text
    text: str
    line: int  # source line, 0-based within the Markdown


@dataclass(frozen=True)
class Highlight:
    span: Span
    html_id: str  # id of the first piece; notes link back to it
    css_class: str  # "claim" or "caveat", plus modifiers
    note_href: str  # where the footnote marker points
    marker: str  # footnote label, e.g. "1" or "a"
    label: str  # accessible name of the marker


@dataclass(frozen=True)
class ParsedMarkdown:
    tokens: tuple[Token, ...]
    text: str  # what a reader sees, blocks separated by BLOCK_BREAK
    segments: tuple[Segment, ...]

    def line_of(self, offset: int) -> int:
        """0-based source line of a rendered-text offset."""
        line = 0
        for segment in self.segments:
            if segment.start > offset:
                break
            line = segment.line
        return line


def parse(markdown: str) -> ParsedMarkdown:
    """Parse Markdown and collect its reader-visible text with a map back to the tokens."""
    tokens = _PARSER.parse(markdown)
    text: list[str] = []
    segments: list[Segment] = []
    length = 0
    for block_index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        if text:
            text.append(BLOCK_BREAK)
            length += 1
        line = token.map[0] if token.map else 0
        for child_index, child in enumerate(token.children):
            if child.type in ("text", "code_inline"):
                segments.append(Segment(block_index, child_index, length, child.content, line))
                text.append(child.content)
                length += len(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                text.append("\n")
                length += 1
                line += 1
    return ParsedMarkdown(tuple(tokens), "".join(text), tuple(segments))


def link_problems(parsed: ParsedMarkdown) -> list[tuple[int, str]]:
    """(0-based line, message) for each link or image whose URL may not be used."""
    problems = []
    for token in parsed.tokens:
        for child in token.children or ():
            url = child.attrGet("href") if child.type == "link_open" else child.attrGet("src") if child.type == "image" else None
            reason = unsafe_url_reason(str(url)) if url is not None else None
            if reason:
                problems.append(((token.map[0] if token.map else 0), reason))
    return problems


def link_as_written(url: str) -> str:
    """A link's URL as its author may have written it: markdown-it's normalisation (%-escapes) undone."""
    return _PARSER.normalizeLinkText(url)


def render(parsed: ParsedMarkdown, highlights: Iterable[Highlight] = ()) -> str:
    """HTML of the parsed Markdown with every highlight marked and footnoted."""
    highlights = sorted(highlights, key=lambda h: (h.span.start, -h.span.end, h.html_id))
    tokens = list(parsed.tokens)
    by_block: dict[int, list[Segment]] = {}
    for segment in parsed.segments:
        if any(segment.start < h.span.end and h.span.start < segment.start + len(segment.text) for h in highlights):
            by_block.setdefault(segment.block, []).append(segment)
    last_piece = {h.html_id: max((s.start for s in _pieces_of(h, parsed.segments)), default=-1) for h in highlights}
    seen: set[str] = set()
    for block, segments in by_block.items():
        # Only the inline tokens that get highlights are copied: the parsed tokens stay as they were.
        inline = tokens[block] = copy.copy(tokens[block])
        inline.children = _weave(inline.children or [], segments, highlights, seen, last_piece)
    return _PARSER.renderer.render(tokens, _PARSER.options, {})


def _pieces_of(highlight: Highlight, segments: Iterable[Segment]) -> Iterable[Segment]:
    for segment in segments:
        if segment.start < highlight.span.end and highlight.span.start < segment.start + len(segment.text):
            yield segment


def _weave(children: list[Token], segments: list[Segment], highlights: list[Highlight],
           seen: set[str], last_piece: dict[str, int]) -> list[Token]:
    """Split the text leaves of one inline token at highlight boundaries and wrap the pieces."""
    by_child = {segment.child: segment for segment in segments}
    woven: list[Token] = []
    link_depth = 0
    pending_markers: list[Token] = []  # markers can't go inside a link: <a> may not nest
    for index, child in enumerate(children):
        if child.type == "link_open":
            link_depth += 1
        elif child.type == "link_close":
            link_depth -= 1
        segment = by_child.get(index)
        covering = [h for h in highlights if segment and segment.start < h.span.end
                    and h.span.start < segment.start + len(segment.text)]
        if not covering:
            woven.append(child)
        else:
            ending = [h for h in covering if last_piece.get(h.html_id) == segment.start]
            pieces, deferred = _wrap_leaf(child, segment, covering, seen, ending, inside_link=link_depth > 0)
            woven.extend(pieces)
            pending_markers.extend(deferred)
        if pending_markers and link_depth == 0:
            woven.extend(pending_markers)
            pending_markers = []
    woven.extend(pending_markers)
    return woven


def _wrap_leaf(leaf: Token, segment: Segment, covering: list[Highlight], seen: set[str],
               ending: list[Highlight], inside_link: bool) -> tuple[list[Token], list[Token]]:
    """The leaf split into wrapped pieces, and the markers that must wait for the link to close."""
    cuts = {0, len(segment.text)}
    for h in covering:
        cuts.add(max(0, h.span.start - segment.start))
        cuts.add(min(len(segment.text), h.span.end - segment.start))
    bounds = sorted(cuts)
    out: list[Token] = []
    deferred: list[Token] = []
    for start, end in zip(bounds, bounds[1:]):
        piece = segment.text[start:end]
        active = [h for h in covering if h.span.start <= segment.start + start and segment.start + end <= h.span.end]
        for h in active:
            id_attr = "" if h.html_id in seen else f' id="{h.html_id}"'
            seen.add(h.html_id)
            out.append(_html(f'<mark class="{h.css_class}" data-note="{html.escape(h.note_href[1:])}"{id_attr}>'))
        out.append(_text(piece))
        out.extend(_html("</mark>") for _ in active)
        for h in ending:
            if h.span.end == segment.start + end:
                # A marker inside <code> or <a> would be invalid or unreadable: put it after them.
                (deferred if inside_link or leaf.type == "code_inline" else out).append(_marker(h))
    if leaf.type == "code_inline":
        return [_html("<code>"), *out, _html("</code>"), *deferred], []
    return out, deferred


def _marker(h: Highlight) -> Token:
    return _html(f'<sup class="marker"><a href="{h.note_href}" id="ref-{h.html_id}" '
                 f'aria-label="{html.escape(h.label)}">{html.escape(h.marker)}</a></sup>')


def _html(content: str) -> Token:
    return Token("html_inline", "", 0, content=content)


def _text(content: str) -> Token:
    return Token("text", "", 0, content=content)
