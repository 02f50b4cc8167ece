"""Article -> AnchoredArticle: one article's own work, wherever it runs.

Every quote is found in the article's rendered text, highlights and footnote markers are woven in,
notes are rendered, and the positions of the highlights in the page's text are kept. This depends on
the article's files and the site config only, so it is done once per version of an article, in any
worker; references to other files (sources, topics) are checked by resolve.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import datetime

from . import crossrefs, markup, verdicts
from .anchoring import BLOCK_BREAK, FoldedText, QuoteAmbiguous, QuoteNotFound, Selector, Span, find_quote, fold
from .crossrefs import ArticleTargets, ContentLink
from .diagnostics import Collector, Diagnostic, Location
from .model import Article, Caveat, Claim, SiteConfig, Status
from .pagetext import TextAnchor, page_text
from .verdicts import Verdict


@dataclass(frozen=True)
class AnchoredClaim:
    claim: Claim
    number: int  # 1-based, in reading order
    status: Status
    note_html: str
    history: tuple[Verdict, ...] = ()  # the earlier verdicts, oldest first
    updated: datetime.date | None = None  # when the current verdict was given (the claim's, or the article's date)

    @property
    def note_id(self) -> str:
        return f"claim-{self.claim.id}"

    @property
    def verdicts(self) -> tuple[Verdict, ...]:
        """Every verdict, oldest first, the current one last."""
        assert self.updated is not None
        return verdicts.timeline(self.history, self.status, self.updated)

    @property
    def highlight_id(self) -> str:
        return f"hl-claim-{self.claim.id}"


@dataclass(frozen=True)
class AnchoredCaveat:
    caveat: Caveat
    letter: str  # a, b, c ... in reading order; unanchored caveats come last
    anchored: bool
    text_html: str

    @property
    def note_id(self) -> str:
        return f"caveat-{self.caveat.id}"

    @property
    def highlight_id(self) -> str:
        return f"hl-caveat-{self.caveat.id}"


@dataclass(frozen=True)
class AnchoredArticle:
    article: Article
    body_html: str  # "" once stored: the text is kept apart (see without_body)
    claims: tuple[AnchoredClaim, ...]  # reading order
    caveats: tuple[AnchoredCaveat, ...]
    anchors: dict[str, TextAnchor]  # note id -> where its highlight lies in the body's text content
    blocks: int  # top-level elements of the body
    links: tuple[ContentLink, ...] = ()  # of the text and the notes, in order (checked by resolve.py)

    @property
    def slug(self) -> str:
        return self.article.slug

    def claim(self, claim_id: str) -> AnchoredClaim:
        return next(c for c in self.claims if c.claim.id == claim_id)

    def caveats_of(self, claim_id: str) -> tuple[AnchoredCaveat, ...]:
        return tuple(c for c in self.caveats if claim_id in c.caveat.claim_ids)


def anchor_article(article: Article, config: SiteConfig) -> tuple[AnchoredArticle | None, tuple[Diagnostic, ...]]:
    """The article with its quotes anchored and its text rendered (None if a quote is not found); its problems."""
    problems = Collector()
    return _anchor_article(article, config, problems), tuple(problems.diagnostics)


def without_body(article: AnchoredArticle) -> AnchoredArticle:
    """The article without its text (Markdown and HTML): what the digest keeps of every article."""
    return replaced(article, article=replaced(article.article, body=""), body_html="")


def replaced(value: Any, **changes: Any) -> Any:
    """dataclasses.replace() for a frozen dataclass, without re-running __init__ (this runs per article)."""
    copy = object.__new__(type(value))
    copy.__dict__.update(value.__dict__, **changes)
    return copy


def targets_of(article: AnchoredArticle) -> ArticleTargets:
    """What links can point at in an article: its claims and caveats."""
    return crossrefs.article_targets((c.claim.id for c in article.claims),
                                     ((c.caveat.id, c.anchored) for c in article.caveats), article.slug)


def _anchor_article(article: Article, config: SiteConfig, problems: Collector) -> AnchoredArticle | None:
    verdicts.check_verdicts(article, config.statuses, problems)
    parsed = markup.parse(article.body)
    folded = fold(parsed.text)

    def body_at(offset: int) -> Location:
        return Location(article.path, article.body_line + parsed.line_of(offset))

    for line, message in markup.link_problems(parsed):
        problems.error(Location(article.path, article.body_line + line), message)

    claim_spans = {c.id: _find(c.selector, c.quote_at, folded, parsed, body_at, problems) for c in article.claims}
    caveat_spans = {c.id: _find(c.selector, c.quote_at, folded, parsed, body_at, problems)
                    for c in article.caveats if c.selector}
    if None in claim_spans.values() or None in caveat_spans.values():
        return None

    claims_in_order = sorted(article.claims, key=lambda c: (claim_spans[c.id], c.id))
    statuses = {s.id: s for s in config.statuses}
    claims = tuple(
        # An unknown status has been reported already; a stand-in keeps the other checks going.
        AnchoredClaim(claim, number, statuses.get(claim.status.id, Status(claim.status.id, claim.status.id)),
                      _note_html(claim.note, claim.note_at, problems),
                      verdicts.anchor_history(claim, statuses, problems), claim.updated or article.date)
        for number, claim in enumerate(claims_in_order, start=1)
    )
    caveats_in_order = sorted(article.caveats, key=lambda c: (c.id not in caveat_spans, caveat_spans.get(c.id, Span(0, 0))))
    caveats = tuple(
        AnchoredCaveat(caveat, _letter(index), caveat.id in caveat_spans, _note_html(caveat.text, caveat.text_at, problems))
        for index, caveat in enumerate(caveats_in_order)
    )
    highlights = [
        markup.Highlight(claim_spans[c.claim.id], c.highlight_id, f"claim status-{c.status.id}", f"#{c.note_id}",
                         str(c.number), f"Claim {c.number}: {c.status.label}")
        for c in claims
    ] + [
        markup.Highlight(caveat_spans[c.caveat.id], c.highlight_id, f"caveat kind-{c.caveat.kind}", f"#{c.note_id}",
                         c.letter, f"Caveat {c.letter}: {c.caveat.kind}")
        for c in caveats if c.anchored
    ]
    body_html = markup.render(parsed, highlights)
    text = page_text(body_html)
    return AnchoredArticle(article, body_html, claims, caveats, text.anchors(), text.blocks, _links(article, parsed))


def _links(article: Article, parsed: markup.ParsedMarkdown) -> tuple[ContentLink, ...]:
    """Every link of the article's text and notes, with where it was written."""
    links = list(crossrefs.text_links(parsed, article.body, article.path, article.body_line))
    for claim in article.claims:
        links += crossrefs.note_links(claim.note, claim.note_at)
        for step in claim.history:
            links += crossrefs.note_links(step.note, step.note_at)
    for caveat in article.caveats:
        links += crossrefs.note_links(caveat.text, caveat.text_at)
    return tuple(links)


def _find(selector: Selector, at: Location, folded: FoldedText, parsed: markup.ParsedMarkdown,
          body_at, problems: Collector) -> Span | None:
    try:
        return find_quote(folded, selector)
    except QuoteNotFound as missing:
        hint = ""
        if missing.closest is not None:
            passage = parsed.text[missing.closest.start:missing.closest.end]
            hint = f"; the closest passage is '{passage}' on line {body_at(missing.closest.start).line}"
        context = " with that prefix/suffix" if selector.prefix or selector.suffix else ""
        problems.error(at, f"quote '{_shorten(selector.quote)}' not found in the article text{context}{hint}")
    except QuoteAmbiguous as ambiguous:
        places = "; ".join(f"line {body_at(s.start).line} after '{_words_before(parsed.text, s.start)}'"
                           for s in ambiguous.occurrences)
        problems.error(at, f"quote '{_shorten(selector.quote)}' occurs {len(ambiguous.occurrences)} times "
                           f"({places}); add a 'prefix' (text just before it) or a 'suffix' to choose one")
    return None


def _words_before(text: str, offset: int, count: int = 3) -> str:
    """The last few words before `offset` in the same block: a ready-made prefix."""
    block_start = text.rfind(BLOCK_BREAK, 0, offset) + 1
    return " ".join(text[block_start:offset].split()[-count:])


def _note_html(markdown: str, at: Location, problems: Collector) -> str:
    parsed = markup.parse(markdown)
    for _line, message in markup.link_problems(parsed):
        problems.error(at, message)  # a note's lines can't be mapped back through YAML folding
    return markup.render(parsed)


def _letter(index: int) -> str:
    """a, b, ... z, aa, ab, ... for the index-th caveat."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
