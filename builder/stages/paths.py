"""Where each page of the site lives, as a path relative to the site root (pages link to these)."""

from __future__ import annotations

HOME = ""
TOPICS = "topics/"
SOURCES = "sources/"
CLAIMANTS = "claimants/"
STATUSES = "statuses/"
UPDATES = "updates/"
DISCREPANCIES = "discrepancies/"
SEARCH = "search/"
NOT_FOUND = "404.html"
UPDATES_FEED = "updates.xml"


def article_url(slug: str) -> str:
    return f"articles/{slug}/"


def topic_url(topic_id: str) -> str:
    return f"topics/{topic_id}/"


def source_url(source_id: str) -> str:
    return f"sources/{source_id}/"


def claimant_url(slug: str) -> str:
    return f"claimants/{slug}/"


def status_url(status_id: str) -> str:
    return f"statuses/{status_id}/"
