"""Rendered article HTML -> the text a browser sees in it, and where each highlight lies in that text.

The article body is rendered as the only content of `<div id="article-text">`, so this text is
exactly that element's DOM `textContent`: every text node in document order, character references
decoded, whitespace kept (including the newlines between blocks and the footnote markers' labels).
Offsets count Unicode code points, as the W3C TextPositionSelector requires (a browser's
string indexes count UTF-16 units; they agree unless the text holds characters beyond U+FFFF).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

ARTICLE_TEXT_ID = "article-text"


@dataclass(frozen=True)
class TextRange:
    start: int  # code-point offsets into the text content, end exclusive
    end: int
    block: int  # 1-based index of the top-level element that holds it


@dataclass(frozen=True)
class PageText:
    text: str
    highlights: dict[str, TextRange]  # note id ('claim-x') -> the range its <mark> pieces cover
    blocks: int  # number of top-level elements

    def anchors(self) -> dict[str, TextAnchor]:
        """Each highlight's range with its W3C TextQuoteSelector: all that is kept of the text once
        the article is anchored (the margin notes and the annotation export need no more)."""
        text = self.text
        return {note: TextAnchor(r.start, r.end, r.block, text[r.start:r.end],
                                 text[max(0, r.start - CONTEXT_CHARS):r.start], text[r.end:r.end + CONTEXT_CHARS])
                for note, r in self.highlights.items()}


CONTEXT_CHARS = 32  # length of a TextQuoteSelector's prefix and suffix


@dataclass(frozen=True)
class TextAnchor:
    start: int  # code-point offsets into the text content, end exclusive
    end: int
    block: int  # 1-based index of the top-level element that holds it
    exact: str  # the text in that range
    prefix: str  # up to CONTEXT_CHARS before it
    suffix: str  # and after it


# The body is markdown-it's output (raw HTML disabled): well-formed tags whose attribute values
# escape '<', '>' and '"', no comments or CDATA. A scan for tags and text runs is enough, and
# several times faster than html.parser (this runs once per article on every cold build).
_TAG_OR_TEXT = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)([^>]*)>|[^<]+")
_DATA_NOTE = re.compile(r'\sdata-note="([^"]*)"')
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


def page_text(body_html: str) -> PageText:
    """The text content of the rendered body, with the range of every highlight in it."""
    parts: list[str] = []
    length = depth = block = 0
    open_marks: list[str | None] = []  # data-note of each open <mark>, innermost last
    starts: dict[str, int] = {}
    ends: dict[str, int] = {}
    blocks: dict[str, int] = {}
    for token in _TAG_OR_TEXT.finditer(body_html):
        tag = token.group(2)
        if tag is None:  # a text run
            data = token.group()
            if "&" in data:
                data = html.unescape(data)
            parts.append(data)
            length += len(data)
            continue
        tag = tag.lower()
        if token.group(1):  # an end tag
            if tag in _VOID:
                continue
            depth -= 1
            if tag == "mark" and open_marks:
                note = open_marks.pop()
                if note is not None:
                    ends[note] = length
            continue
        if depth == 0:
            block += 1
        if tag == "mark":
            found = _DATA_NOTE.search(token.group(3))
            note = html.unescape(found.group(1)) if found else None
            open_marks.append(note)
            if note is not None:
                starts.setdefault(note, length)
                blocks.setdefault(note, block)
        if tag not in _VOID and not token.group(3).endswith("/"):
            depth += 1
    ranges = {note: TextRange(start, ends[note], blocks[note]) for note, start in starts.items()}
    return PageText("".join(parts), ranges, block)
