"""A quote and the text around it (as a browser selection or a Hypothesis TextQuoteSelector gives
them) -> the selector an annotation file should hold: the quote as the reader sees it, plus the
shortest prefix or suffix that makes it unique, checked with the build's own anchoring code.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..stages import markup
from ..stages.anchoring import (BLOCK_BREAK, FoldedText, QuoteAmbiguous, QuoteNotFound, Selector, Span, find_quote,
                                fold)
from ..stages.model import Article

CONTEXT_LOOKED_AT = 200  # characters of context compared when choosing among occurrences


@dataclass(frozen=True)
class ArticleText:
    """An article's text as a reader sees it (blocks separated by BLOCK_BREAK), with its lines."""

    path: str
    parsed: markup.ParsedMarkdown
    folded: FoldedText
    body_line: int

    @classmethod
    def of(cls, article: Article) -> "ArticleText":
        parsed = markup.parse(article.body)
        return cls(article.path, parsed, fold(parsed.text), article.body_line)

    @property
    def text(self) -> str:
        return self.parsed.text

    def line_of(self, offset: int) -> int:
        return self.body_line + self.parsed.line_of(offset)


class Unplaceable(Exception):
    """The quote cannot be anchored: not in the text, or not told apart from its other occurrences."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line  # of the article file, where the passage is (or the closest one)


def place_quote(article: ArticleText, exact: str, prefix: str = "", suffix: str = "") -> Selector:
    """The selector for `exact`, choosing among its occurrences by the context given, trimmed to what disambiguates."""
    span = _chosen_occurrence(article, exact, prefix, suffix)
    text = article.text
    quote = _one_line(text[span.start:span.end])
    for selector in _candidates(text, span, quote):
        try:
            if find_quote(article.folded, selector) == span:
                return selector
        except (QuoteNotFound, QuoteAmbiguous):
            continue
    raise Unplaceable(f"quote '{_shorten(quote)}' occurs more than once in identical passages on line "
                      f"{article.line_of(span.start)}: no text of its paragraph tells them apart",
                      article.line_of(span.start))


def _chosen_occurrence(article: ArticleText, exact: str, prefix: str, suffix: str) -> Span:
    try:
        return find_quote(article.folded, Selector(exact))
    except QuoteNotFound as missing:
        line = article.line_of(missing.closest.start) if missing.closest else article.body_line
        raise Unplaceable(_not_found(article, exact, missing.closest), line) from None
    except QuoteAmbiguous as ambiguous:
        occurrences = ambiguous.occurrences
    scores = [(_context_score(article.text, span, prefix, suffix), span) for span in occurrences]
    best = max(score for score, _ in scores)
    chosen = [span for score, span in scores if score == best]
    if len(chosen) > 1:
        lines = ", ".join(str(article.line_of(span.start)) for span in chosen)
        raise Unplaceable(f"quote '{_shorten(exact)}' occurs {len(occurrences)} times (lines {lines}) and the text "
                          "around it does not say which is meant", article.line_of(chosen[0].start))
    return chosen[0]


def _not_found(article: ArticleText, exact: str, closest: Span | None) -> str:
    """The build's message for a quote that is not in the text (resolve.py), with the closest passage."""
    spans_blocks = "\n" in exact.strip() or BLOCK_BREAK in exact
    hint = ""
    if closest is not None:
        hint = (f"; the closest passage is '{article.text[closest.start:closest.end]}' "
                f"on line {article.line_of(closest.start)}")
    why = " (a quote cannot span two paragraphs)" if spans_blocks else ""
    return f"quote '{_shorten(exact)}' not found in the article text{why}{hint}"


def _context_score(text: str, span: Span, prefix: str, suffix: str) -> int:
    """How many characters of the given context agree with the text around this occurrence."""
    before = _normal(text[max(0, span.start - CONTEXT_LOOKED_AT):span.start]).rstrip()
    after = _normal(text[span.end:span.end + CONTEXT_LOOKED_AT]).lstrip()
    wanted_before, wanted_after = _normal(prefix).rstrip(), _normal(suffix).lstrip()
    agree_before = 0
    while (agree_before < min(len(before), len(wanted_before))
           and before[-1 - agree_before] == wanted_before[-1 - agree_before]):
        agree_before += 1
    agree_after = 0
    while agree_after < min(len(after), len(wanted_after)) and after[agree_after] == wanted_after[agree_after]:
        agree_after += 1
    return agree_before + agree_after


def _normal(text: str) -> str:
    """Folded like the article text, block breaks read as the space a browser shows between blocks."""
    return fold(text.replace(BLOCK_BREAK, " ")).text


def _candidates(text: str, span: Span, quote: str):
    """Selectors from least to most context: none, then each prefix and suffix of whole words from the
    quote's paragraph, shortest first (a prefix before a suffix of the same length), then pairs."""
    yield Selector(quote)
    block_start = text.rfind(BLOCK_BREAK, 0, span.start) + 1
    block_end = text.find(BLOCK_BREAK, span.end)
    block_end = len(text) if block_end < 0 else block_end
    prefixes = _word_runs(text[block_start:span.start], backwards=True)
    suffixes = _word_runs(text[span.end:block_end], backwards=False)
    singles = sorted([(len(p), 0, Selector(quote, prefix=p)) for p in prefixes] +
                     [(len(s), 1, Selector(quote, suffix=s)) for s in suffixes], key=lambda t: (t[0], t[1]))
    yield from (selector for *_, selector in singles)
    pairs = sorted(((len(p) + len(s), p, s) for p in prefixes for s in suffixes), key=lambda t: t[0])
    yield from (Selector(quote, prefix=p, suffix=s) for _, p, s in pairs)


def _word_runs(context: str, backwards: bool) -> list[str]:
    """The runs of whole words next to the quote: 'c', 'regular c', 'a regular c' (backwards)."""
    words = context.split()
    if not words:
        return []
    if backwards:
        return [" ".join(words[-count:]) for count in range(1, len(words) + 1)]
    return [" ".join(words[:count]) for count in range(1, len(words) + 1)]


def _one_line(text: str) -> str:
    """A passage with its line breaks and runs of spaces made single spaces, as anchoring reads it."""
    return " ".join(text.split())


def _shorten(text: str, limit: int = 60) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"
