"""Rendered article HTML -> the text a browser sees in it, and where each highlight lies in that text.

The article body is rendered as the only content of `<div id="article-text">`, so this text is
exactly that element's DOM `textContent`: every text node in document order, character references
decoded, whitespace kept (including the newlines between blocks and the footnote markers' labels).
Offsets count Unicode code points, as the W3C TextPositionSelector requires (a browser's
string indexes count UTF-16 units; they agree unless the text holds characters beyond U+FFFF).
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

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


class _TextCollector(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.depth = 0
        self.block = 0
        self.open_marks: list[str | None] = []  # data-note of each open <mark>, innermost last
        self.starts: dict[str, int] = {}
        self.ends: dict[str, int] = {}
        self.blocks: dict[str, int] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            self.block += 1
        if tag == "mark":
            note = dict(attrs).get("data-note")
            self.open_marks.append(note)
            if note is not None:
                self.starts.setdefault(note, self.length)
                self.blocks.setdefault(note, self.block)
        if tag not in self.VOID:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            self.block += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        self.depth -= 1
        if tag == "mark" and self.open_marks:
            note = self.open_marks.pop()
            if note is not None:
                self.ends[note] = self.length

    def handle_data(self, data: str) -> None:
        self.parts.append(data)
        self.length += len(data)


def page_text(body_html: str) -> PageText:
    """The text content of the rendered body, with the range of every highlight in it ."""
    collector = _TextCollector()
    collector.feed(body_html)
    collector.close()
    ranges = {note: TextRange(start, collector.ends[note], collector.blocks[note])
              for note, start in collector.starts.items()}
    return PageText("".join(collector.parts), ranges, collector.block)
