"""Slugs made from titles and names: the file name `digest new` gives an article, a claimant's page."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG_LENGTH = 60
# Letters that Unicode does not decompose into an ASCII base letter plus accents.
_TRANSLITERATIONS = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
                                   "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d",
                                   "Ð": "D", "ı": "i", "&": " and "})


def slug_from_title(title: str) -> str:
    """ASCII lowercase letters, digits and single hyphens; '' for a title without Latin letters or digits."""
    ascii_text = unicodedata.normalize("NFKD", title.translate(_TRANSLITERATIONS))
    ascii_text = "".join(c for c in ascii_text if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"['’]", "", ascii_text.lower())  # "China's" -> "chinas", not "china-s"
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH + 1].rsplit("-", 1)[0] if "-" in slug[:MAX_SLUG_LENGTH] else slug[:MAX_SLUG_LENGTH]
    return slug
