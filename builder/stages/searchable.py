"""A rendered page -> the same page without the parts Pagefind skips (`data-pagefind-ignore`).

Topic and source pages index only their name and description, yet list every article, claim and
caveat they gather: at 10,000 articles their 150 pages are 89 MB of HTML, all of it parsed by
pagefind for a few words each. Handing pagefind the page without its ignored elements gives the
same bundle (tested against the whole pages) for a fraction of the work, and bytes that change
only when what is indexed changes, so a shard's inputs say when it needs indexing again.

The page is copied as written (start tags, text and character references verbatim), leaving out
each element marked `data-pagefind-ignore` with everything inside it. The theme's HTML closes every
element it opens, which is what finding the end of an ignored element relies on.
"""

from __future__ import annotations

import re

IGNORE_ATTRIBUTE = "data-pagefind-ignore"
VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                           "track", "wbr"})
# A start tag; attributes never hold a raw ">" (the templates escape it as &gt;).
START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)([^>]*)>")
ATTRIBUTE_NAME = re.compile(r"""\s([^\s=/>"']+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?""")


def _ignored(attributes: str) -> bool:
    return any(name.lower() == IGNORE_ATTRIBUTE for name in ATTRIBUTE_NAME.findall(attributes))


def _element_end(text: str, name: str, after: int) -> int:
    """Where the element `name` opened just before `after` closes: past its end tag (or the text's end).
    Only tags of the same name can nest in it and matter, in HTML that closes what it opens."""
    depth = 1
    for tag in re.compile(rf"<(/?){re.escape(name)}\b[^>]*>", re.I).finditer(text, after):
        depth += -1 if tag.group(1) else 1
        if not depth:
            return tag.end()
    return len(text)


def without_ignored(page: bytes) -> bytes:
    """The page with every `data-pagefind-ignore` element left out, the rest byte for byte.

    Regular expressions, not a parser: this runs over every searchable page of the digest, and
    html.parser takes seconds per shard where this takes milliseconds."""
    text = page.decode("utf-8")
    kept: list[str] = []
    position = 0  # kept up to here
    found = text.find(IGNORE_ATTRIBUTE)
    while found >= 0:
        start = text.rfind("<", position, found)
        tag = START_TAG.match(text, start) if start >= 0 else None
        if tag and tag.end() > found and tag.group(1).lower() not in VOID_ELEMENTS and _ignored(tag.group(2)):
            kept.append(text[position:start])
            position = _element_end(text, tag.group(1), tag.end())
            found = text.find(IGNORE_ATTRIBUTE, position)
        else:  # the words in text, or in another attribute's value
            found = text.find(IGNORE_ATTRIBUTE, found + len(IGNORE_ATTRIBUTE))
    if not kept:
        return page
    kept.append(text[position:])
    return "".join(kept).encode("utf-8")
