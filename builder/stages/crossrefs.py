"""Links in content: id links that cannot break, and relative links that are checked.

An id link names what it links to instead of where it is:

    @/articles/<slug>.md              the article (".md" may be left out)
    @/articles/<slug>.md#<id>         a claim or caveat of it (or #claim-<id>, #caveat-<id>)
    @/sources/<id>  @/topics/<id>  @/claimants/<slug-or-id>  @/statuses/<id>
    @/  @/sources/  @/topics/  @/claimants/  @/statuses/  @/updates/  @/discrepancies/

The build checks each target (an unknown one is an error at the link's line, with a suggestion) and
writes it as a relative URL from the page the link is shown on, so it works from any sub-path. A
claim or caveat is linked on its article's page, whose fragments never move (index pages are split
into pages, and an item's place there does). In the built HTML an id link keeps its `@/` form until
a page renders it: a note is shown on its article's page and on index pages at other depths, so
each page resolves the links it shows (`resolve_links`), relative links of notes included.

Relative links are relative to the article's page. One that leads into the site but to no page, or
to an article page without that element, is a warning (an error with --strict).
"""

from __future__ import annotations

import html
import posixpath
import re
import urllib.parse
from dataclasses import dataclass
from typing import Callable, Collection, Iterable, Mapping

from markupsafe import Markup

from . import markup
from .diagnostics import Collector, Location, did_you_mean
from .paths import (CLAIMANTS, DISCREPANCIES, HOME, SEARCH, SOURCES, STATUSES, TOPICS, UPDATES, UPDATES_FEED,
                    article_url, claimant_url, source_url, status_url, topic_url)

ID_LINK = "@/"
_INDEXES = {"": HOME, "sources/": SOURCES, "topics/": TOPICS, "claimants/": CLAIMANTS, "statuses/": STATUSES,
            "updates/": UPDATES, "discrepancies/": DISCREPANCIES}
_ENTITIES = {"articles": "article", "sources": "source", "topics": "topic", "claimants": "claimant",
             "statuses": "status"}
FORMS = ("@/articles/<slug>.md, @/articles/<slug>.md#<claim-or-caveat-id>, @/sources/<id>, @/topics/<id>, "
         "@/claimants/<slug>, @/statuses/<id>, or @/ and @/sources/, @/topics/, @/claimants/, @/statuses/, "
         "@/updates/, @/discrepancies/ for the index pages")
# Elements of every article page that content may link to, beside its notes and highlights.
ARTICLE_PAGE_IDS = ("main", "article-text", "updated-heading", "corrections-heading", "other-caveats-heading",
                    "comparison-heading")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_HREF = re.compile(r'(href|src)="([^"]*)"')  # as markdown-it writes links and images


@dataclass(frozen=True)
class ContentLink:
    href: str  # as markdown-it gives it (normalised, percent-encoded)
    at: Location
    image: bool = False  # an image's source, not a link

    @property
    def kind(self) -> str:
        """id | external (http, https) | relative | other (mailto:, ...)"""
        if self.href.startswith("@"):
            return "id"
        match = _SCHEME.match(self.href)
        if match:
            return "external" if match.group().lower() in ("http:", "https:") else "other"
        return "other" if self.href.startswith("//") else "relative"


@dataclass(frozen=True)
class ArticleTargets:
    """What a link can point at in one article: its claims and caveats (and which caveats are anchored)."""

    slug: str
    claim_ids: tuple[str, ...]
    caveat_ids: tuple[str, ...]
    anchored_caveat_ids: tuple[str, ...] = ()

    def fragments(self) -> set[str]:
        """The ids of elements on the article's page (see article.html and macros.html)."""
        ids = set(ARTICLE_PAGE_IDS)
        for claim_id in self.claim_ids:
            ids.update((f"claim-{claim_id}", f"claim-{claim_id}-title", f"hl-claim-{claim_id}", f"ref-hl-claim-{claim_id}"))
        for caveat_id in self.caveat_ids:
            ids.update((f"caveat-{caveat_id}", f"caveat-{caveat_id}-title"))
        for caveat_id in self.anchored_caveat_ids:
            ids.update((f"hl-caveat-{caveat_id}", f"ref-hl-caveat-{caveat_id}"))
        return ids


@dataclass(frozen=True)
class LinkableSite:
    """Everything content can link to, for checking links. The collections may read their members when
    asked (a build knows them from its state, not by holding the whole digest); they are iterated only
    to suggest a name for a link that is wrong."""

    articles: Mapping[str, ArticleTargets]  # published, by slug
    drafts: Collection[str]
    source_ids: Collection[str]
    topic_ids: Collection[str]
    claimant_slugs: Collection[str]
    status_ids: tuple[str, ...]
    root_path: str | None = None  # the path of base_url ('/digest/'): where links starting with '/' lead in

    def files(self) -> set[str]:
        """The output paths of the site's pages and feeds (as pages.plan_pages and the feeds plan them)."""
        files = {"index.html", "404.html", "feed.xml", UPDATES_FEED, "robots.txt", "sitemap.xml",
                 "data/claims.json", "data/annotations.jsonld", f"{SEARCH}index.html"}
        files.update(f"{page}index.html" for page in _INDEXES.values() if page)
        files.update(f"{article_url(slug)}index.html" for slug in self.articles)
        files.update(f"{source_url(sid)}index.html" for sid in self.source_ids)
        for topic_id in self.topic_ids:
            files.update((f"{topic_url(topic_id)}index.html", f"{topic_url(topic_id)}feed.xml"))
        files.update(f"{claimant_url(slug)}index.html" for slug in self.claimant_slugs)
        files.update(f"{status_url(sid)}index.html" for sid in self.status_ids)
        return files


def article_targets(claim_ids: Iterable[str], caveats: Iterable[tuple[str, bool]], slug: str) -> ArticleTargets:
    """ArticleTargets from the claim ids and (caveat id, anchored) pairs of an article, in reading order."""
    caveat_list = list(caveats)
    return ArticleTargets(slug, tuple(claim_ids), tuple(c for c, _ in caveat_list),
                          tuple(c for c, anchored in caveat_list if anchored))


# --- Collecting the links of an article -------------------------------------------------------

def text_links(parsed: markup.ParsedMarkdown, body: str, path: str, body_line: int) -> tuple[ContentLink, ...]:
    """Every link of an article's text, at its line and (where it can be found) column."""
    lines = body.split("\n")
    links = []
    for token in parsed.tokens:
        if token.type != "inline" or not token.children or not token.map:
            continue
        line = token.map[0]
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type in ("link_open", "image"):
                href = str(child.attrGet("href" if child.type == "link_open" else "src") or "")
                source_line = lines[line] if line < len(lines) else ""
                links.append(ContentLink(href, Location(path, body_line + line, _column(source_line, href)),
                                         child.type == "image"))
    return tuple(links)


def note_links(markdown: str, at: Location) -> tuple[ContentLink, ...]:
    """Every link of a note (its lines cannot be mapped back through YAML folding: all at the note)."""
    if "](" not in markdown and "]:" not in markdown and "<" not in markdown:
        return ()  # no link syntax: spare the parse
    return tuple(ContentLink(str(child.attrGet("href" if child.type == "link_open" else "src") or ""), at,
                             child.type == "image")
                 for token in markup.parse(markdown).tokens for child in token.children or ()
                 if child.type in ("link_open", "image"))


def _column(source_line: str, href: str) -> int:
    for written in (href, urllib.parse.unquote(href)):
        index = source_line.find(written)
        if index >= 0:
            return index + 1
    return 1


# --- Checking them against the digest ----------------------------------------------------------

def check_links(slug: str, links: Iterable[ContentLink], site: LinkableSite, problems: Collector,
                files: set[str] | None = None) -> None:
    """Report id links to unknown targets (errors) and relative links that lead nowhere (warnings)."""
    for link in links:
        if link.kind == "id" and link.image:
            problems.error(link.at, f"an image's source cannot be an id link ('{urllib.parse.unquote(link.href)}'): "
                                    "id links are for links to pages")
        elif link.kind == "id":
            _check_id_link(link, site, problems)
        elif link.kind == "relative":
            if files is None:
                files = site.files()
            _check_relative_link(slug, link, site, files, problems)


def _check_id_link(link: ContentLink, site: LinkableSite, problems: Collector) -> None:
    written = urllib.parse.unquote(link.href)
    parsed = parse_id_link(link.href)
    if parsed is None:
        problems.error(link.at, f"'{written}' is not an id link: write {FORMS}")
        return
    kind, target, fragment = parsed
    if kind == "index":
        return
    if fragment and kind != "article":
        problems.error(link.at, f"'{written}': only a link to an article takes a #fragment (a claim or caveat id)")
        return
    if kind == "article":
        if target in site.drafts and target not in site.articles:
            problems.warning(link.at, f"link to the draft article '{target}', which is published only with --drafts")
        elif target not in site.articles:
            hint = did_you_mean(target, site.articles) or " (an article's id is its file name, content/articles/<slug>.md)"
            problems.error(link.at, f"unknown article '{target}' in link '{written}'{hint}")
        elif fragment:
            _check_fragment(written, site.articles[target], fragment, link.at, problems)
        return
    known, hint = {
        "source": (site.source_ids, " (define it in content/sources.yaml)"),
        "topic": (site.topic_ids, " (define it in content/topics.yaml)"),
        "claimant": (site.claimant_slugs, " (a claimant's link ends as its page's address does: @/claimants/<slug>)"),
        "status": (frozenset(site.status_ids), f" (the scale is: {', '.join(sorted(site.status_ids))})"),
    }[kind]
    if target not in known:
        problems.error(link.at, f"unknown {kind} '{target}' in link '{written}'{did_you_mean(target, known) or hint}")


def _check_fragment(written: str, targets: ArticleTargets, fragment: str, at: Location, problems: Collector) -> None:
    if fragment in targets.claim_ids and fragment in targets.caveat_ids:
        problems.error(at, f"'#{fragment}' in link '{written}' is both a claim and a caveat of article "
                           f"'{targets.slug}': write #claim-{fragment} or #caveat-{fragment}")
    elif note_fragment(targets, fragment) is None:
        ids = targets.claim_ids + targets.caveat_ids
        hint = did_you_mean(fragment, ids) or (f" (its claims: {', '.join(targets.claim_ids) or 'none'}; "
                                               f"its caveats: {', '.join(targets.caveat_ids) or 'none'})")
        problems.error(at, f"'{fragment}' in link '{written}' is not a claim or caveat of article '{targets.slug}'{hint}")


def _check_relative_link(slug: str, link: ContentLink, site: LinkableSite, files: set[str], problems: Collector) -> None:
    page = article_url(slug)
    split = urllib.parse.urlsplit(link.href)
    path = urllib.parse.unquote(split.path)
    if path.startswith("/"):
        if site.root_path is None or not path.startswith(site.root_path):
            return  # outside the site, or without base_url, a root we cannot tell: nothing to check
        target = site_path_within(path[len(site.root_path):], "")
    else:
        target = site_path_within(path, page)
    if target is None:
        return  # above the site's root: another site's page
    file = _file_of(target)
    if file.startswith(("static/", "pagefind/")):
        return  # assets: the theme's and the site's own, known only when the site is written
    if file not in files:
        others = sorted(f for f in files if f.split("/")[0] == file.split("/")[0] and f.endswith("index.html"))
        suggestion = did_you_mean(_relative_to(page, file), [_relative_to(page, f) for f in others])
        problems.warning(link.at, f"relative link '{link.href}' leads to no page of the site{suggestion}")
        return
    fragment = urllib.parse.unquote(split.fragment)
    linked = _article_of(file)
    if fragment and linked in site.articles and fragment not in site.articles[linked].fragments():
        targets = site.articles[linked]
        ids = sorted(targets.fragments() - set(ARTICLE_PAGE_IDS))
        hint = did_you_mean(f"#{fragment}", [f"#{i}" for i in ids])
        if not hint and note_fragment(targets, fragment):
            hint = f" (did you mean '#{note_fragment(targets, fragment)}'?)"
        problems.warning(link.at, f"relative link '{link.href}' leads to no element of the page "
                                  f"{article_url(linked)}{hint}")


def site_path_within(path: str, base: str) -> str | None:
    """`path` resolved against the site folder `base` ('articles/x/'): a site path ('articles/y/'), or None above the root."""
    joined = posixpath.normpath(posixpath.join(base, path)) if path else base.rstrip("/") or "."
    if joined == ".." or joined.startswith("../"):
        return None
    if joined == ".":
        return ""
    return joined + "/" if (not path or path.endswith(("/", "/.", "/..")) or path in (".", "..")) else joined


def _file_of(site_path: str) -> str:
    return site_path + "index.html" if site_path == "" or site_path.endswith("/") else site_path


def _article_of(file: str) -> str | None:
    parts = file.split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "articles" and parts[2] == "index.html" else None


def _relative_to(page: str, file: str) -> str:
    target = file[:-len("index.html")] if file.endswith("index.html") else file
    relative = posixpath.relpath(target or ".", page.rstrip("/") or ".")
    return relative + "/" if target.endswith("/") or target == "" else relative


# --- What an id link points at -----------------------------------------------------------------

def parse_id_link(href: str) -> tuple[str, str, str] | None:
    """(kind, target, fragment) of an id link: kind is index, article, source, topic, claimant or status."""
    if not href.startswith(ID_LINK):
        return None
    path, _, fragment = urllib.parse.unquote(href[len(ID_LINK):]).partition("#")
    if path in _INDEXES and not fragment:
        return ("index", _INDEXES[path], "")
    folder, _, name = path.partition("/")
    kind = _ENTITIES.get(folder)
    name = name[:-1] if name.endswith("/") else name
    if kind == "article" and name.endswith(".md"):
        name = name[:-3]
    if kind is None or not name or "/" in name:
        return None
    return (kind, name, fragment)


def note_fragment(targets: ArticleTargets, fragment: str) -> str | None:
    """The id of the note a link's fragment names: #<id>, #claim-<id> or #caveat-<id>; None if none."""
    if fragment in targets.claim_ids and fragment not in targets.caveat_ids:
        return f"claim-{fragment}"
    if fragment in targets.caveat_ids and fragment not in targets.claim_ids:
        return f"caveat-{fragment}"
    kind, _, note_id = fragment.partition("-")
    if kind == "claim" and note_id in targets.claim_ids or kind == "caveat" and note_id in targets.caveat_ids:
        return fragment
    return None


def id_link_site_path(href: str, targets: Mapping[str, ArticleTargets]) -> str | None:
    """The site path an id link leads to ('articles/x/#claim-y'); None if it is not one (check_links reports it)."""
    parsed = parse_id_link(href)
    if parsed is None:
        return None
    kind, target, fragment = parsed
    if kind == "index":
        return target
    if kind == "article":
        linked = targets.get(target)
        note = note_fragment(linked, fragment) if linked is not None and fragment else fragment
        return article_url(target) + (f"#{note or fragment}" if fragment else "")
    return {"source": source_url, "topic": topic_url, "claimant": claimant_url, "status": status_url}[kind](target)


# --- Writing them into a page ------------------------------------------------------------------

def resolve_links(html_text: str, article_slug: str, page_path: str, url: Callable[[str], str],
                  targets: Mapping[str, ArticleTargets]) -> Markup:
    """HTML of an article's text or notes as the page at `page_path` shows it: id links resolved, and,
    on a page other than the article's own, relative links made relative to that page."""
    own_page = page_path == f"{article_url(article_slug)}index.html"
    if own_page and 'href="@' not in html_text:
        return Markup(html_text)  # nothing to do: the article's own links are relative to its page

    def replace(match: re.Match) -> str:
        attribute, href = match.group(1), html.unescape(match.group(2))
        if href.startswith("@"):
            target = id_link_site_path(href, targets)
        elif own_page or _SCHEME.match(href) or href.startswith("/"):
            return match.group(0)
        else:
            split = urllib.parse.urlsplit(href)
            within = site_path_within(split.path, article_url(article_slug))
            if within is None:
                return match.group(0)
            target = within + (f"?{split.query}" if split.query else "") + (f"#{split.fragment}" if split.fragment else "")
        return match.group(0) if target is None else f'{attribute}="{html.escape(url(target))}"'

    return Markup(_HREF.sub(replace, html_text))
