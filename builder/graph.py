"""What each page depends on: the dependency graph that lets a rebuild render only what changed.

Inputs are known by the hash of their bytes (a file's stat only spares re-reading it; cache.py). From them:

- the *site key* covers what every page uses: the builder's code, site/config.yaml and the build
  options; a *template key* covers a page template and every template it extends, includes or
  imports (site templates override the theme's by name), so editing topic.html re-renders topic
  pages only, and editing base.html every page;
- an *article key* covers one article: its Markdown and annotation files, the code and the config.
  Loading and anchoring an article is a pure function of it, so its results are cached under it;
- a *listing key* covers an article as index pages see it: everything but its text (pages.py gives
  index pages articles without their text, so an index page cannot depend on it by accident).

A page's key hashes the site key and its view: an article page's view is its article (article key)
and the Source objects it shows; an index page's view lists articles (listing keys), claims and
caveats (by their article's listing key and their id), topics and sources (their fields). So:

    article page  <- its Markdown, its annotations, the sources/topics it shows, templates, config
    feed          <- its newest articles (their files: entries hold the text), the topics, config
    sitemap.xml   <- the page paths and the articles' dates, config
    source page   <- the source, the claims and caveats citing it (their articles' listing keys)
    topic page    <- the topic, its articles and claims
    home, topics/, sources/, discrepancies/ <- the listed articles' summaries, claims and caveats

Templates also look sources and topics up by id (`sources[sid].name`). Those look-ups are recorded
while the page renders (render.py) and kept with the page with the hash of each entry read: the page
is re-rendered when one of them changes. A page is reused only if its key, its recorded look-ups and
its output file (size, mtime, inode) are all as the last build left them.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from pathlib import Path
from typing import Any, Iterable

import jinja2
from jinja2 import meta

from .engine.store import OutputStamp, PageRecord, content_hash
from .stages.feeds import Feed
from .inputs import MISSING
from .stages.model import Source, Topic
from .stages.pages import ArticleView, CitedCaveat, CitedClaim, Page, listed_article
from .stages.render import EVERYTHING, desk_registries
from .stages.resolve import AnchoredArticle, Digest
from .stages.updates import UpdateEvent


def listing_key(article: AnchoredArticle) -> str:
    """The hash of an article as index pages see it (its repr is plain frozen data, in order)."""
    return content_hash(repr(listed_article(article)))


def registry_hashes(digest: Digest) -> dict[str, dict[str, str]]:
    """For each registry templates can look up: id -> hash of the entry, and EVERYTHING -> all of it."""
    registries = {"sources": {s.id: content_hash(repr(s)) for s in digest.sources},
                  "topics": {t.id: content_hash(repr(t)) for t in digest.topics}}
    for name, entries in desk_registries(digest).items():  # claimants by name, articles' link targets
        registries[name] = {entry_id: content_hash(repr(entry)) for entry_id, entry in entries.items()}
    for entries in registries.values():
        entries[EVERYTHING] = content_hash(*(f"{k}={v}" for k, v in sorted(entries.items())))
    return registries


def template_keys(env: jinja2.Environment, names: Iterable[str]) -> dict[str, str]:
    """For each template name: a hash of its source and of every template it uses, transitively.

    A template that names another through a variable could use any: it depends on them all.
    """
    sources: dict[str, str] = {}
    filenames: dict[str, str | None] = {}
    uses: dict[str, set[str] | None] = {}

    def source(name: str) -> str:
        try:
            text, filenames[name], _ = env.loader.get_source(env, name)
            return text
        except jinja2.TemplateNotFound:  # `include ... ignore missing`: its absence is an input too
            return "\0missing"

    def visit(name: str) -> None:
        if name in sources:
            return
        sources[name] = source(name)
        # Parsed with its file name, so that a syntax error is located in the site's template.
        referenced = (list(meta.find_referenced_templates(env.parse(sources[name], name, filenames.get(name))))
                      if sources[name] != "\0missing" else [])
        uses[name] = None if None in referenced else set(referenced)
        for other in uses[name] or ():
            visit(other)

    def closure(name: str, seen: set[str]) -> set[str] | None:
        if name in seen:
            return seen
        seen.add(name)
        if uses[name] is None:
            return None
        for other in uses[name]:
            if closure(other, seen) is None:
                return None
        return seen

    keys = {}
    for name in sorted(set(names)):
        visit(name)
        used = closure(name, set())
        if used is None:
            used = set(env.list_templates())
            for other in used:
                sources.setdefault(other, source(other))
        keys[name] = content_hash(*(f"{other}\n{sources[other]}" for other in sorted(used)))
    return keys


class PageKeys:
    """Computes page keys, remembering the pieces that many pages share."""

    def __init__(self, site_key: str, template_keys: dict[str, str], article_keys: dict[str, str],
                 listing_keys: dict[str, str]) -> None:
        self.site_key = site_key
        self.template_keys = template_keys
        self.article_keys = article_keys
        self.listing_keys = listing_keys
        self._shared: dict[int, str] = {}

    def keys(self, page_list: list[Page], index_keys: dict[str, PageRecord] | None = None) -> dict[str, str]:
        """Every page's key; an index page's is taken from `index_keys` (the last build's records)
        when given, which the caller does when index_state() is as it was."""
        if index_keys is None:
            return {page.path: self.key(page) for page in page_list}
        return {page.path: index_keys[page.path].key if page.path in index_keys and not isinstance(page.view, ArticleView)
                else self.key(page) for page in page_list}

    def key(self, page: Page) -> str:
        parts: list[str] = [self.site_key, self.template_keys[page.template], page.path, page.template, page.title]
        view = page.view
        if isinstance(view, ArticleView):  # the article, and the sources it shows
            parts.append(self.article_keys[view.article.slug])
            self._walk(view.compared, parts)
            self._walk(view.outlet, parts)
        else:
            self._walk(view, parts)
        return content_hash(*parts)

    def _walk_listing(self, items: tuple, kind: type, parts: list[str]) -> None:
        listing = self.listing_keys
        if kind is AnchoredArticle:
            if any(a.body_html or a.article.body for a in items):
                raise AssertionError("an index page's view holds an article's text: use listed_article()")
            parts.extend(listing[a.slug] for a in items)
        elif kind is CitedClaim:  # column by column: cheaper than a formatted string per item
            parts.append("claims")
            parts.extend([listing[c.article.slug] for c in items])
            parts.extend([c.claim.claim.id for c in items])
        else:
            parts.append("caveats")
            parts.extend([listing[c.article.slug] for c in items])
            parts.extend([c.caveat.caveat.id for c in items])
            parts.extend([c.role for c in items])

    def _walk(self, value: Any, parts: list[str]) -> None:
        if isinstance(value, AnchoredArticle):
            if value.body_html or value.article.body:
                raise AssertionError(f"an index page's view holds the text of '{value.slug}': use listed_article()")
            parts.append(self.listing_keys[value.slug])
        elif isinstance(value, (CitedClaim, CitedCaveat)):
            self._walk_listing((value,), type(value), parts)
        elif isinstance(value, (Source, Topic)):
            shared = self._shared.get(id(value))
            if shared is None:
                shared = self._shared[id(value)] = repr(value)
            parts.append(shared)
        elif isinstance(value, tuple):
            parts.append(f"({len(value)}")
            kinds = {type(item) for item in value}
            if len(kinds) == 1 and kinds <= {AnchoredArticle, CitedClaim, CitedCaveat}:
                self._walk_listing(value, kinds.pop(), parts)  # an index's long list, without recursion
            else:
                for item in value:
                    self._walk(item, parts)
        elif dataclasses.is_dataclass(value):
            parts.append(type(value).__name__)
            for field in dataclasses.fields(value):
                self._walk(getattr(value, field.name), parts)
        elif value is None or isinstance(value, (str, int, float, bool, datetime.date)):
            parts.append(repr(value))
        else:
            raise AssertionError(f"no key for a {type(value).__name__} in a page view")


def index_state(site_key: str, template_keys: dict[str, str], registries: dict[str, dict[str, str]],
                digest: Digest, listing_keys: dict[str, str]) -> str:
    """A hash of everything an index page's key can depend on: the site key, the templates, the
    sources and topics, and the listed articles in order. The index pages are planned from just
    these (pages.plan_pages), so while it is unchanged their keys are too: a rebuild after an
    edit to an article's text need not walk the long views of every index page again."""
    return content_hash(site_key, repr(sorted(template_keys.items())), repr(registries),
                        "\n".join(listing_keys[a.slug] for a in digest.articles))


def feed_key(feed: Feed, site_key: str, article_keys: dict[str, str], registries: dict[str, dict[str, str]]) -> str:
    """A feed's key: its entries' articles (text included: entries carry it) and the topics they are filed under."""
    return content_hash(site_key, "feed", feed.path, feed.title, feed.subtitle, feed.page,
                        registries["topics"][EVERYTHING], registries["targets"][EVERYTHING],
                        *(article_keys[a.slug] for a in feed.articles))


def updates_feed_key(events: tuple[UpdateEvent, ...], site_key: str, listing_keys: dict[str, str],
                     registries: dict[str, dict[str, str]]) -> str:
    """updates.xml's key: its events, each known by its article's listing key (the events are made from
    what index pages see of an article) and its place in it; and the link targets its notes resolve."""
    return content_hash(site_key, "updates", registries["targets"][EVERYTHING],
                        *(f"{listing_keys[e.article.slug]} {e.event_id}" for e in events))


def is_current(record: PageRecord | None, key: str, registries: dict[str, dict[str, str]], out: Path,
               path: str) -> bool:
    """Whether the file the last build wrote for this page is still exactly what it would render."""
    if record is None or record.key != key or record.stamp is None:
        return False
    for registry, entry_id, entry_hash in record.lookups:
        if registries.get(registry, {}).get(entry_id, MISSING) != entry_hash:
            return False
    return OutputStamp.of(os.path.join(out, path)) == record.stamp


def lookup_hashes(lookups: tuple[tuple[str, str], ...], registries: dict[str, dict[str, str]]) -> tuple[tuple[str, str, str], ...]:
    """(registry, id) look-ups with the hash each entry has now."""
    return tuple((registry, entry_id, registries.get(registry, {}).get(entry_id, MISSING))
                 for registry, entry_id in lookups)
