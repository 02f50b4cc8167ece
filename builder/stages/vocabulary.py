"""A shard's vocabulary page: how the browser tells which shards hold a query's words.

Pagefind treats a word that an index lacks in one of two ways: it searches for the longest
indexed word that begins the query word instead ("portoferraio" finds "porto"), and in a query
of several words it drops the word altogether ("okavango tariffs" finds every page with
"tariffs"). Over one whole index that happens only for words the digest lacks; over shards it
happens in every shard that lacks a word some other shard has, and floods the merged results
with pages that do not contain it. So each shard carries one extra page, never shown, whose
words tell the search page which shards really hold each query word (templates/static/search.js).

For every word of the shard, as Pagefind stems it, the page holds that stem less its last
letter, plus VOCABULARY_MARK. Such a word
- begins with every proper prefix of the stem, so it matches a query word that Pagefind would
  extend to the stem ("soyb" -> "soybean"), and lets the shard answer only with what it holds;
- is never a prefix of a query word, so it cannot be what Pagefind falls back to;
- sorts just before the stem, inside the index chunk that a query for that prefix loads.
A query word that is a whole stem of the shard is found by an exact ("quoted") search, which
never falls back. The stems come from Pagefind itself: the shard's distinct words are indexed
once on their own (a page of a few thousand words, quick) and read back from that index.
"""

from __future__ import annotations

import gzip
import html
import re
from pathlib import Path

import cbor2

# A digit sorts before every letter, so the marked word sorts right after the stem's prefix and
# before the stem; the letters after it make it a word no reader types.
VOCABULARY_MARK = "0zq"
VOCABULARY_FILTER = "vocabulary"  # data-pagefind-filter key: its value names the shard
VOCABULARY_PAGE = "_vocabulary/index.html"  # a path no digest page has (ids cannot start with _)
INDEX_SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before the CBOR of an index chunk
# Attributes whose text Pagefind may index (image alt text, metadata); text nodes are read too.
INDEXED_ATTRIBUTES = frozenset({"alt", "title", "aria-label", "content", "data-pagefind-meta"})


SCRIPTS = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
TAGS = re.compile(r"<[^>]*>")
TITLE = re.compile(r"<title>(.*?)</title>", re.S | re.I)
ATTRIBUTE_VALUES = re.compile(
    r"""\s(?:%s)\s*=\s*(?:"([^"]*)"|'([^']*)')""" % "|".join(sorted(INDEXED_ATTRIBUTES)), re.I)


def page_tokens(pages: list[bytes]) -> list[str]:
    """The distinct whitespace-separated tokens of the pages' text, sorted: a superset of the words
    Pagefind indexes. Extra tokens are harmless (see vocabulary_page); a missing one could hide a
    shard, so text is split both at tags and across them (Pagefind reads "<b>soy</b>beans" as one
    word), at no-break spaces and not, and attribute values Pagefind may index are read too."""
    tokens: set[str] = set()
    for data in pages:
        page = data.decode("utf-8", errors="replace")
        body = page.find("data-pagefind-body")  # Pagefind reads only that element (and the title)
        title = TITLE.search(page)
        page = SCRIPTS.sub(" ", (title.group(1) if title else "") + " " + page[page.rfind("<", 0, body):] if body >= 0 else page)
        texts = [TAGS.sub(" ", page), TAGS.sub("", page)]
        texts += [value for pair in ATTRIBUTE_VALUES.findall(page) for value in pair if value]
        for text in texts:
            text = html.unescape(text)
            tokens.update(text.split())  # any Unicode space, no-break spaces included
            tokens.update(text.replace("\xa0", "").split())  # and as if they joined words
    return sorted(tokens)


def tokens_page(tokens: list[str], language: str) -> bytes:
    """One page holding the tokens, for Pagefind to stem them as it stems the shard."""
    return (f'<!DOCTYPE html><html lang="{html.escape(language)}"><head><meta charset="utf-8"><title>tokens</title>'
            f'</head><body><main data-pagefind-body><p>{html.escape(" ".join(tokens))}</p></main></body></html>'
            ).encode("utf-8")


def index_words(index_folder: Path) -> set[str]:
    """Every word (stem) in a Pagefind bundle's index chunks (index/*.pf_index)."""
    words: set[str] = set()
    for chunk in sorted(index_folder.glob("*.pf_index")):
        raw = gzip.decompress(chunk.read_bytes())
        if not raw.startswith(INDEX_SIGNATURE):
            raise ValueError(f"{chunk}: not a Pagefind index chunk this digest can read")
        decoded = cbor2.loads(raw[len(INDEX_SIGNATURE):])
        words.update(entry[0] for entry in decoded[0])
    return words


def vocabulary_words(stems: set[str]) -> list[str]:
    """The marked words for the stems, sorted (see the module docstring)."""
    return sorted({stem[:-1] + VOCABULARY_MARK for stem in stems if len(stem) > 1})


def vocabulary_page(shard_id: str, stems: set[str], language: str) -> bytes:
    """The shard's vocabulary page, tagged with the filter that names the shard.

    Its words may be a superset of the shard's: a marked word that the shard's pages lack only
    keeps Pagefind from falling back to a shorter word, and the shard then answers nothing."""
    words = vocabulary_words(stems) or [VOCABULARY_MARK]
    return (f'<!DOCTYPE html><html lang="{html.escape(language)}"><head><meta charset="utf-8"></head><body>'
            f'<main data-pagefind-body data-pagefind-meta="title:{VOCABULARY_MARK}" '
            f'data-pagefind-filter="{VOCABULARY_FILTER}:{html.escape(shard_id)}"><p>{" ".join(words)}</p></main>'
            f'</body></html>').encode("utf-8")
