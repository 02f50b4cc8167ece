"""Content -> Digest: check ids across files, anchor every quote, render the annotated text.

Pure data in, pure data out; every problem is collected, then raised as one ContentErrors.
"""

from __future__ import annotations

import datetime
import urllib.parse
from collections import ChainMap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from . import claimants, crossrefs, markup, verdicts
from .anchoring import BLOCK_BREAK, FoldedText, QuoteAmbiguous, QuoteNotFound, Selector, Span, find_quote, fold
from .claimants import ClaimantDirectory
from .crossrefs import ContentLink
from .diagnostics import Collector, Diagnostic, Location, did_you_mean
from .pagetext import TextAnchor, page_text
from .model import DEFAULT_SOURCE_KINDS, Article, Caveat, Claim, Content, Ref, SiteConfig, Source, Status, Topic
from .verdicts import Verdict

if TYPE_CHECKING:
    from ..memo import ArticleMemo


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
    body_html: str  # "" in Digest.articles: the bodies are in Digest.bodies
    claims: tuple[AnchoredClaim, ...]  # reading order
    caveats: tuple[AnchoredCaveat, ...]
    anchors: dict[str, TextAnchor]  # note id -> where its highlight lies in the body's text content
    blocks: int  # top-level elements of the body
    links: tuple[ContentLink, ...] = ()  # of the text and the notes, in order (checked in resolve)

    @property
    def slug(self) -> str:
        return self.article.slug

    def claim(self, claim_id: str) -> AnchoredClaim:
        return next(c for c in self.claims if c.claim.id == claim_id)

    def caveats_of(self, claim_id: str) -> tuple[AnchoredCaveat, ...]:
        return tuple(c for c in self.caveats if claim_id in c.caveat.claim_ids)


@dataclass(frozen=True)
class Digest:
    config: SiteConfig
    articles: tuple[AnchoredArticle, ...]  # published, newest first
    sources: tuple[Source, ...]  # by id
    topics: tuple[Topic, ...]  # by id
    warnings: tuple[Diagnostic, ...] = ()
    # slug -> body_html. A plain dict, or the build cache's bodies (memo.py): an incremental build
    # reads only the bodies of the pages it renders.
    bodies: Mapping[str, str] = field(default_factory=dict)
    claimants: ClaimantDirectory = field(default_factory=ClaimantDirectory)

    def with_body(self, article: AnchoredArticle) -> AnchoredArticle:
        """The article with its body_html, to render its page."""
        return self.with_body_of(article, self.bodies[article.slug])

    @staticmethod
    def with_body_of(article: AnchoredArticle, body_html: str) -> AnchoredArticle:
        return replaced(article, body_html=body_html)

    def source(self, source_id: str) -> Source:
        return next(s for s in self.sources if s.id == source_id)

    def topic(self, topic_id: str) -> Topic:
        return next(t for t in self.topics if t.id == topic_id)


def resolve(content: Content, include_drafts: bool = False, memo: ArticleMemo | None = None) -> Digest:
    """Cross-check ids and anchor annotations; raise ContentErrors listing every problem.

    `memo` (memo.py) serves an unchanged article's anchoring, and its problems, from the build cache.
    """
    anchor_article = memo.anchor_article(_anchor_article) if memo else _anchor_article
    problems = Collector()
    sources = _all_sources(content, problems)
    topic_ids = {t.id for t in content.topics}
    status_ids = {s.id for s in content.config.statuses}
    _check_source_kinds(sources.values(), content.config.source_kinds, problems)
    directory = claimants.make_directory(content.claimants, content.articles, problems,
                                         (a.slug for a in content.articles if include_drafts or not a.draft))
    anchored = []
    bodies: dict[str, str] = {}
    for article in content.articles:
        _check_refs(article, set(sources), topic_ids, status_ids, problems)
        result = anchor_article(article, content.config, problems)
        if result is not None and (include_drafts or not article.draft):
            if result.body_html:  # else the memo holds it
                bodies[result.slug] = result.body_html
                result = without_body(result)
            anchored.append(result)
    _check_links(content, anchored, sources, directory, problems)
    _warn_unused(content, sources, problems)
    claimants.warn_unnamed(content.claimants, content.articles, problems)
    problems.raise_if_errors()
    anchored.sort(key=lambda a: (-a.article.date.toordinal(), a.slug))
    return Digest(content.config, tuple(anchored), tuple(sorted(sources.values(), key=lambda s: s.id)),
                  content.topics, tuple(sorted(problems.diagnostics)),
                  ChainMap(bodies, memo.bodies()) if memo else bodies, directory)


def targets_of(article: AnchoredArticle) -> crossrefs.ArticleTargets:
    """What links can point at in an article: its claims and caveats."""
    return crossrefs.article_targets((c.claim.id for c in article.claims),
                                     ((c.caveat.id, c.anchored) for c in article.caveats), article.slug)


def _check_links(content: Content, anchored: list[AnchoredArticle], sources: dict[str, Source],
                 directory: ClaimantDirectory, problems: Collector) -> None:
    """Id links to what exists, relative links to pages that exist (see crossrefs)."""
    if not any(a.links for a in anchored):
        return
    published = {a.slug for a in anchored}
    base_path = urllib.parse.urlsplit(content.config.base_url).path if content.config.base_url else None
    site = crossrefs.LinkableSite(
        {a.slug: targets_of(a) for a in anchored}, frozenset(a.slug for a in content.articles) - published,
        frozenset(sources), frozenset(t.id for t in content.topics), frozenset(c.slug for c in directory.claimants),
        tuple(s.id for s in content.config.statuses),
        None if base_path is None else base_path if base_path.endswith("/") else base_path + "/")
    files: set[str] | None = None
    for article in anchored:
        if any(link.kind == "relative" for link in article.links) and files is None:
            files = site.files()
        crossrefs.check_links(article.slug, article.links, site, problems, files)


def _check_source_kinds(sources: Iterable[Source], kinds: tuple[str, ...], problems: Collector) -> None:
    own = "" if kinds == DEFAULT_SOURCE_KINDS else ": the source_kinds of site/config.yaml"
    for source in sources:
        if source.kind_at is not None and source.kind not in kinds:
            problems.error(source.kind_at, f"'kind' '{source.kind}' is not one of {', '.join(kinds)}"
                                           f"{did_you_mean(source.kind, kinds) or own}")


def without_body(article: AnchoredArticle) -> AnchoredArticle:
    """The article without its text (Markdown and HTML): what the digest keeps of every article."""
    return replaced(article, article=replaced(article.article, body=""), body_html="")


def replaced(value: Any, **changes: Any) -> Any:
    """dataclasses.replace() for a frozen dataclass, without re-running __init__ (this runs per article)."""
    copy = object.__new__(type(value))
    copy.__dict__.update(value.__dict__, **changes)
    return copy


def _warn_unused(content: Content, sources: dict[str, Source], problems: Collector) -> None:
    """Sources nobody cites and topics nothing is filed under: usually a typo or a leftover."""
    cited: set[str] = set()
    filed: set[str] = set()
    for article in content.articles:
        cited.update([article.source.id] if article.source else [])
        filed.update(article.topic_ids)
        for claim in article.claims:
            cited.update(claim.source_ids)
            filed.update(claim.topic_ids)
        for caveat in article.caveats:
            cited.update(caveat.source_ids + caveat.noted_by_ids)
    for source in sources.values():
        if source.id not in cited:
            problems.warning(source.at, f"source '{source.id}' is never cited")
    for topic in content.topics:
        if topic.id not in filed:
            problems.warning(topic.at, f"topic '{topic.id}' has no articles or claims")


def _all_sources(content: Content, problems: Collector) -> dict[str, Source]:
    sources = {s.id: s for s in content.sources}
    for article in content.articles:
        for local in article.local_sources:
            if local.id in sources:
                first = sources[local.id].at
                problems.error(local.at, f"source '{local.id}' is already defined at {first.path}:{first.line}; "
                                         "use that one, or give this source another id")
            else:
                sources[local.id] = local
    return sources


def _check_refs(article: Article, source_ids: set[str], topic_ids: set[str], status_ids: set[str],
                problems: Collector) -> None:
    def check(refs: Iterable[Ref], known: set[str], what: str, hint: str) -> None:
        for ref in refs:
            if ref.id not in known:
                problems.error(ref.at, f"unknown {what} '{ref.id}'{did_you_mean(ref.id, known) or hint}")

    source_hint = " (define it in content/sources.yaml)"
    check([article.source] if article.source else [], source_ids, "source", source_hint)
    check(article.topics, topic_ids, "topic", " (define it in content/topics.yaml)")
    claim_ids = {c.id for c in article.claims}
    for claim in article.claims:
        check(claim.sources, source_ids, "source", source_hint)
        check(claim.topics, topic_ids, "topic", " (define it in content/topics.yaml)")
        check([claim.status], status_ids, "status", f" (the scale is: {', '.join(sorted(status_ids))})")
    for caveat in article.caveats:
        check(caveat.claims, claim_ids, "claim", f" (claims of this article: {', '.join(sorted(claim_ids)) or 'none'})")
        check(caveat.sources, source_ids, "source", source_hint)
        check(caveat.noted_by, source_ids, "source", source_hint)


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
