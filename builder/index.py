"""The digest as the build state keeps it between builds: a summary per article, and what points to it.

For every article the state holds its key (`article:<slug>`, the version of its files), what index
pages show of it (`listing:<slug>`, a fingerprint), its places in the index lists (engine/ordered.py,
owned by the slug), the sources it defines for itself, and its counts; the article's result itself
(its anchored claims and caveats, its text) is in the store under its key, read only when a page needs
it. Reverse indexes answer "who uses this": the lists (source -> its claims and caveats, topic -> its
articles) and the reads of each article's check (`check:<slug>` reads `cites-source:<id>` and
`cites-topic:<id>`). So a build in which k articles changed reads, checks and plans in proportion
to k and to what depends on them.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Iterable

from .engine.graph import Graph
from .engine.memo import Memo
from .engine.ordered import ListChange, Member, OrderedLists
from .engine.session import Session
from .engine.store import content_hash
from .stages.articles import AnchoredArticle
from .stages.diagnostics import Location
from .stages.claimants import NamedClaimant
from .stages.crossrefs import ArticleTargets
from .stages.model import Source
from .tasks import ArticleResult, ArticleSummary, StoredArticle

LOCAL_SOURCES = "local-sources"  # list: sort '<source id> <slug>', payload: the Source as JSON
CLAIMANT_NAMES = "claimant-names/"  # + claimant slug, list: sort '<article slug> <claim index>', payload: NamedClaimant as JSON
EXPORT_ENTRIES = "export-entries"  # list: sort slug, payload: the article's entry in claims.json
ANNOTATION_PAGES = "annotation-pages"  # list: sort slug, payload: its annotations (JSON) for its page


@dataclass(frozen=True)
class ArticleChange:
    """What changed in the state when one article was added, changed or removed."""

    slug: str
    lists: tuple[ListChange, ...]  # where its list entries came, went or moved
    listing_changed: bool  # what index pages show of it
    key_changed: bool


class DigestIndex:
    def __init__(self, session: Session) -> None:
        self.graph: Graph = session.graph
        self.lists: OrderedLists = session.lists
        self.results: Memo[StoredArticle] = session.memo("task")
        self.store = session.store
        self._listings: dict[str, AnchoredArticle] = {}

    # Reading

    def article_keys(self) -> dict[str, str]:
        """slug -> article key of every article the last build had (published or not)."""
        return {name.removeprefix("article:"): key for name, key in self.graph.fingerprints_under("article:").items()}

    def summary(self, key: str) -> ArticleSummary | None:
        """An article's stored summary (None if the store lost it: the caller analyses it again)."""
        found = self.results.get(key)
        return found.value.summary if found is not None else None

    def result(self, key: str) -> ArticleResult | None:
        """An article's stored result (None if the store lost it, or if it did not build)."""
        found = self.results.get(key)
        return found.value.load() if found is not None and found.value.result else None

    def listing(self, key: str) -> AnchoredArticle | None:
        """The article as index pages see it, read from the store (and kept for this build)."""
        found = self._listings.get(key)
        if found is None:
            stored = self.store.get(f"listing:{key}")
            if isinstance(stored, bytes):
                found = pickle.loads(stored)
            else:
                result = self.result(key)
                if result is None:
                    return None
                found = result.listing()
                self.store.put(f"listing:{key}", pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
            if len(self._listings) > 4096:  # a cold build reads each many times, in date order
                self._listings.clear()
            self._listings[key] = found
        return found

    def local_sources(self, except_slugs: Iterable[str] = ()) -> list[tuple[str, Source]]:
        """(slug, source) of every source an article defines for itself, in slug order."""
        skip = set(except_slugs)
        found = []
        for member in self.lists.slice(LOCAL_SOURCES, 0, 1 << 62):
            slug = member.sort.split(" ", 1)[1]
            if slug not in skip:
                found.append((slug, _source_from_json(member.payload)))
        return sorted(found, key=lambda item: (item[0], item[1].id))

    # Changing

    def put(self, slug: str, key: str, summary: ArticleSummary, listing_blob: bytes, published: bool) -> ArticleChange:
        """Record this version of the article (which built without errors)."""
        stored = self.graph.fingerprints([f"article:{slug}", f"listing:{slug}"])
        listing = summary.listing_fingerprint if published else ""
        self.graph.update({f"article:{slug}": key})
        if listing:
            self.graph.update({f"listing:{slug}": listing})
        else:
            self.graph.remove([f"listing:{slug}"])
        members = [Member(entry.list, entry.sort, entry.member) for entry in summary.entries] if published else []
        members += [Member(LOCAL_SOURCES, f"{s.id} {slug}", s.id, _source_json(s)) for s in summary.local_sources]
        members += [Member(f"{CLAIMANT_NAMES}{named.slug}", f"{slug} {index:05d}", f"{slug}#{named.claim_id}",
                           _named_json(named)) for index, named in enumerate(summary.named)]
        changes = self.lists.replace(slug, members)
        if published and summary.targets is not None:
            self.graph.update({f"targets:{slug}": content_hash(repr(summary.targets))})
        else:
            self.graph.remove([f"targets:{slug}"])
        self.store.put(f"listing:{key}", listing_blob)
        return ArticleChange(slug, tuple(changes), stored.get(f"listing:{slug}", "") != listing,
                             stored.get(f"article:{slug}") != key)

    def put_exports(self, slug: str, entry: bytes | None, annotations: bytes | None) -> list[ListChange]:
        """The article's parts of claims.json and of the annotation pages (None: it has none)."""
        members = [Member(EXPORT_ENTRIES, slug, slug, entry)] if entry is not None else []
        if annotations:
            members.append(Member(ANNOTATION_PAGES, slug, slug, annotations))
        return self.lists.replace(f"export:{slug}", members)

    def tally(self, published: dict[str, tuple[int, ...]], others: Iterable[str]) -> tuple[int, ...]:
        """Record the counts (claims, caveats, annotations) of these published articles, and that `others`
        (changed but unpublished, or removed) count no more; the digest's totals (articles first), kept
        up to date by the differences alone."""
        names = [f"tally:{slug}" for slug in (*published, *others)]
        stored = self.graph.fingerprints([*names, "tally"])
        totals = [int(n) for n in stored.get("tally", "0 0 0 0").split()]
        for name in names:
            if name in stored:
                totals = [total - int(n) for total, n in zip(totals, ["1", *stored[name].split()])]
        self.graph.remove(names)
        for counts in published.values():
            totals = [total + n for total, n in zip(totals, (1, *counts))]
        self.graph.update({**{f"tally:{slug}": " ".join(map(str, counts)) for slug, counts in published.items()},
                           "tally": " ".join(map(str, totals))})
        return tuple(totals)

    def targets(self, fresh: dict[str, ArticleTargets | None], keys: dict[str, str]) -> "PublishedTargets":
        """What links may point at in each published article, read when asked for; `fresh`: this build's
        new and changed articles (None: not published), `keys`: every article's key."""
        return PublishedTargets(self, fresh, keys)

    def remove(self, slug: str) -> ArticleChange:
        stored = self.graph.fingerprints([f"listing:{slug}"])
        self.graph.remove([f"article:{slug}", f"listing:{slug}", f"tally:{slug}", f"targets:{slug}"])
        changes = self.lists.replace(slug, []) + self.lists.replace(f"export:{slug}", [])
        self.graph.forget([f"check:{slug}"])
        return ArticleChange(slug, tuple(changes), bool(stored), True)


def _named_json(named: NamedClaimant) -> bytes:
    return json.dumps([named.slug, named.name, named.registered, named.claim_id, list(named.at)]).encode()


def named_claimant(data: bytes) -> NamedClaimant:
    slug, name, registered, claim_id, at = json.loads(data)
    return NamedClaimant(slug, name, registered, claim_id, Location(*at))


def _source_json(source: Source) -> bytes:
    return json.dumps([source.id, source.name, source.kind, source.url, source.description, list(source.at)]).encode()


def _source_from_json(data: bytes) -> Source:
    source_id, name, kind, url, description, at = json.loads(data)
    return Source(source_id, name, kind, url, description, Location(*at))


class PublishedTargets(Mapping):
    """slug -> ArticleTargets of every published article: this build's from its analysis, the others'
    from the store when asked for (a page asks only for the articles its id links point into)."""

    def __init__(self, index: DigestIndex, fresh: dict[str, ArticleTargets | None], keys: dict[str, str]) -> None:
        self.index = index
        self.fresh = fresh
        self.keys = keys
        self._found: dict[str, ArticleTargets | None] = {}

    def __getitem__(self, slug: str) -> ArticleTargets:
        if slug not in self._found:
            self._found[slug] = self._targets(slug)
        found = self._found[slug]
        if found is None:
            raise KeyError(slug)
        return found

    def _targets(self, slug: str) -> ArticleTargets | None:
        if slug in self.fresh:
            return self.fresh[slug]
        if slug not in self.keys or not self.index.graph.fingerprints([f"targets:{slug}"]):
            return None  # no such article, a draft, or one removed
        summary = self.index.summary(self.keys[slug])
        return summary.targets if summary is not None else None

    def __iter__(self):
        return iter(sorted(name.removeprefix("targets:") for name in self.index.graph.fingerprints_under("targets:")))

    def __len__(self) -> int:
        return len(self.index.graph.fingerprints_under("targets:"))
