"""Find a quote (with optional prefix/suffix) in an article's rendered text.

Matching follows the W3C TextQuoteSelector model, made forgiving the way editors type:
whitespace runs, typographic quotes/apostrophes and dashes are folded before comparing,
so `China's` finds `China”s` and `US-China` finds `US–China`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

BLOCK_BREAK = "\x00"  # separates blocks in the rendered text; no quote can cross it

_QUOTES = "\"'“”„‟«»‘’‚‛‹›`´′″"
_DASHES = "-‐‑‒–—―−"
_FOLD = {**{ord(c): "'" for c in _QUOTES}, **{ord(c): "-" for c in _DASHES}, ord("…"): "..."}
_RUNS = re.compile(r"(?P<space>\s+)|(?P<ellipsis>…+)|(?P<word>[^\s…]+)")
_LONG_SPACE = re.compile(r"\s\s+")
# Every whitespace character is below U+3001 (str.isspace is what the regex \s uses, too).
_FOLD_WITH_SPACE = {**_FOLD, **{code: " " for code in range(0x3001) if chr(code).isspace()}}
# The characters that fold into another single one. Few in a text, so replacing each match is
# much faster than str.translate, which looks every character up.
_FOLDS_TO_ONE = re.compile("[" + re.escape("".join(chr(code) for code, to in _FOLD_WITH_SPACE.items()
                                                   if len(to) == 1 and chr(code) != to)) + "]")


@dataclass(frozen=True)
class Selector:
    quote: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True, order=True)
class Span:
    start: int  # offsets into the rendered text, end exclusive
    end: int


@dataclass(frozen=True)
class FoldedText:
    text: str  # folded text
    origin: tuple[int, ...]  # origin[i]: offset in the original of folded character i; one extra at the end

    def span(self, start: int, end: int) -> Span:
        return Span(self.origin[start], self.origin[end - 1] + 1)


class QuoteNotFound(Exception):
    def __init__(self, closest: Span | None):
        self.closest = closest


class QuoteAmbiguous(Exception):
    def __init__(self, occurrences: tuple[Span, ...]):
        self.occurrences = occurrences


def fold(text: str) -> FoldedText:
    """Fold typographic variants and whitespace runs, remembering where each character came from."""
    # This runs over every article's text, so the common case works on whole slices, not characters.
    if "…" in text:
        return _fold_runs(text)
    folded = _FOLDS_TO_ONE.sub(lambda match: _FOLD_WITH_SPACE[ord(match.group())], text)
    pieces: list[str] = []
    origin: list[int] = []
    kept_from = 0
    for run in _LONG_SPACE.finditer(text):  # keep the first character of each whitespace run
        pieces.append(folded[kept_from:run.start() + 1])
        origin.extend(range(kept_from, run.start() + 1))
        kept_from = run.end()
    pieces.append(folded[kept_from:])
    origin.extend(range(kept_from, len(text)))
    origin.append(len(text))
    return FoldedText("".join(pieces), tuple(origin))


def _fold_runs(text: str) -> FoldedText:
    """fold(), run by run, for text where one character may fold into several (an ellipsis)."""
    out: list[str] = []
    origin: list[int] = []
    for run in _RUNS.finditer(text):
        start, end = run.span()
        if run.lastgroup == "space":
            out.append(" ")
            origin.append(start)
        elif run.lastgroup == "ellipsis":
            out.append("..." * (end - start))
            origin.extend(index for index in range(start, end) for _ in range(3))
        else:
            out.append(run.group().translate(_FOLD))
            origin.extend(range(start, end))
    origin.append(len(text))
    return FoldedText("".join(out), tuple(origin))


def fold_fragment(text: str) -> str:
    """Fold a quote, prefix or suffix the way the article text is folded, trimmed."""
    return fold(text).text.strip(" ")


def find_quote(text: FoldedText, selector: Selector) -> Span:
    """The one span of `text` that the selector picks; raise QuoteNotFound or QuoteAmbiguous."""
    quote = fold_fragment(selector.quote)
    starts = _occurrences(text.text, quote) if quote else []
    if not starts:
        raise QuoteNotFound(closest_passage(text, quote))
    prefix, suffix = fold_fragment(selector.prefix), fold_fragment(selector.suffix)
    chosen = [
        start for start in starts
        if text.text[:start].rstrip(" ").endswith(prefix)
        and text.text[start + len(quote):].lstrip(" ").startswith(suffix)
    ]
    if len(chosen) == 1:
        return text.span(chosen[0], chosen[0] + len(quote))
    if not chosen:  # the quote is there, but not with that prefix/suffix
        raise QuoteNotFound(text.span(starts[0], starts[0] + len(quote)) if len(starts) == 1 else None)
    raise QuoteAmbiguous(tuple(text.span(s, s + len(quote)) for s in chosen))


def _occurrences(text: str, quote: str) -> list[int]:
    """Starts of the non-overlapping occurrences of `quote` (what re.finditer would find, uncompiled)."""
    starts = []
    start = text.find(quote)
    while start != -1:
        starts.append(start)
        start = text.find(quote, start + len(quote))
    return starts


def closest_passage(text: FoldedText, quote: str) -> Span | None:
    """The passage most like `quote`, for a 'did you mean' on an orphaned annotation."""
    if not quote:
        return None
    words = [m.start() for m in re.finditer(r"\S+", text.text)]
    size = len(quote)
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(quote.lower())
    best, best_ratio = None, 0.6  # below this, a suggestion misleads more than it helps
    for start in words:
        window = text.text[start:start + size + size // 4]
        if BLOCK_BREAK in window:
            window = window[:window.index(BLOCK_BREAK)]
        matcher.set_seq1(window.lower())
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        # Trim the window to the matched region so the suggestion is the passage itself.
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        ratio = matcher.ratio()
        if ratio > best_ratio and blocks:
            end = start + blocks[-1].a + blocks[-1].size
            best, best_ratio = (start + blocks[0].a, end), ratio
    if best is None:
        return None
    start, end = best
    while end < len(text.text) and text.text[end].isalnum():
        end += 1  # whole words read better than a cut one
    return text.span(start, end)
