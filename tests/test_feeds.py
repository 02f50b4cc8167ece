"""Atom feeds, sitemap.xml, robots.txt and 404.html, with and without base_url."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from builder.build import build
from conftest import article, make_site

ANNOTATIONS = """\
claims:
  - id: beans
    quote: soybeans
    claim: China will buy soybeans.
    claimant: Donald Trump
    status: unconfirmed
    sources: [trump]
    topics: [agriculture]
"""


@pytest.fixture
def rootless_site(tmp_path: Path) -> Path:
    """A site without base_url: relative links only."""
    root = make_site(tmp_path / "site", {
        "content/articles/call.md": article(body="Trump said China would buy soybeans.", extra="topics: [trade]\n"),
        "content/articles/call.yaml": ANNOTATIONS,
    })
    out = tmp_path / "public"
    build(root, out, search=False)
    return out


def test_digest_feed_parses_and_lists_the_seed_article(default_site: Path) -> None:
    feed = feedparser.parse((default_site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "The Annotated Digest"
    entry = feed.entries[0]
    assert entry.id == "https://example.org/digest/articles/trump-xi-call-2026-02-04/"
    assert entry.link == entry.id
    assert entry.published.startswith("2026-02-04")
    assert "soybeans" in entry.content[0].value


def test_every_topic_has_a_feed_of_its_articles(default_site: Path) -> None:
    feed = feedparser.parse((default_site / "topics" / "agriculture" / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Trump and Xi hold their first call in two months: soybeans, energy and Taiwan"]
    assert feed.feed.id == "https://example.org/digest/topics/agriculture/feed.xml"


def test_feeds_without_base_url_have_stable_urn_ids_and_relative_links(rootless_site: Path) -> None:
    feed = feedparser.parse((rootless_site / "feed.xml").read_bytes(), response_headers={"content-location": "https://host.test/sub/feed.xml",
                                                                                   "content-type": "application/atom+xml"})
    assert not feed.bozo
    entry = feed.entries[0]
    assert entry.id.startswith("urn:uuid:")
    assert entry.link == "https://host.test/sub/articles/call/"
    topic_feed = feedparser.parse((rootless_site / "topics" / "trade" / "feed.xml").read_bytes())
    assert topic_feed.entries[0].id == entry.id  # the same article has the same id in every feed


def test_feed_of_a_topic_without_articles_is_valid_and_empty(rootless_site: Path) -> None:
    text = (rootless_site / "topics" / "agriculture" / "feed.xml").read_text()
    feed = feedparser.parse(text)
    assert not feed.bozo
    # 'agriculture' is only a claim's topic: the article is listed for it, as on the topic page.
    assert len(feed.entries) == 1


def test_sitemap_lists_pages_by_absolute_url_but_not_the_404(default_site: Path) -> None:
    soup = BeautifulSoup((default_site / "sitemap.xml").read_text(), "xml")
    locs = [loc.text for loc in soup.find_all("loc")]
    assert "https://example.org/digest/" in locs
    assert "https://example.org/digest/articles/trump-xi-call-2026-02-04/" in locs
    assert not any("404" in loc for loc in locs)
    assert "Sitemap: https://example.org/digest/sitemap.xml" in (default_site / "robots.txt").read_text()


def test_without_base_url_there_is_no_sitemap_and_robots_names_none(rootless_site: Path) -> None:
    assert not (rootless_site / "sitemap.xml").exists()
    assert "Sitemap" not in (rootless_site / "robots.txt").read_text()


def test_404_page_links_from_the_site_root_path(default_site: Path) -> None:
    soup = BeautifulSoup((default_site / "404.html").read_text(), "html.parser")
    assert soup.find("link", rel="stylesheet")["href"] == "/digest/static/style.css"
    assert soup.find("a", string="Topics")["href"] == "/digest/topics/"
    assert soup.find("link", rel="canonical") is None


def test_canonical_and_social_meta_come_from_base_url(default_site: Path) -> None:
    soup = BeautifulSoup((default_site / "articles" / "trump-xi-call-2026-02-04" / "index.html").read_text(), "html.parser")
    url = "https://example.org/digest/articles/trump-xi-call-2026-02-04/"
    assert soup.find("link", rel="canonical")["href"] == url
    assert soup.find("meta", property="og:url")["content"] == url
    assert soup.find("meta", property="og:type")["content"] == "article"
    assert soup.find("meta", attrs={"name": "twitter:card"})["content"] == "summary"


def test_without_base_url_absolute_meta_is_left_out(rootless_site: Path) -> None:
    soup = BeautifulSoup((rootless_site / "articles" / "call" / "index.html").read_text(), "html.parser")
    assert soup.find("link", rel="canonical") is None
    assert soup.find("meta", property="og:url") is None
    assert soup.find("meta", property="og:title")["content"].startswith("A call")


def test_hostile_titles_and_claims_are_escaped_in_feeds(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {
        "content/articles/a.md": article(title="'<script>alert(1)</script> & co'", body="Soybeans."),
        "content/articles/a.yaml": "claims:\n  - {id: b, quote: Soybeans, claim: '</a><script>x</script>', "
                                   "status: false, sources: [trump]}\n",
    })
    build(root, tmp_path / "out", search=False)
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.entries[0].title == "<script>alert(1)</script> & co"
    content = feed.entries[0].content[0].value
    assert "<script>" not in content and "&lt;script&gt;x&lt;/script&gt;" in content


def test_feeds_hold_the_newest_fifty_articles(tmp_path: Path) -> None:
    files = {f"content/articles/day-{day:02d}.md": article(f"Day {day}", date=f"2026-01-{day:02d}", extra="topics: [trade]\n")
             for day in range(1, 32)}
    files.update({f"content/articles/feb-{day:02d}.md": article(f"Feb {day}", date=f"2026-02-{day:02d}", extra="topics: [trade]\n")
                  for day in range(1, 29)})
    out = tmp_path / "public"
    build(make_site(tmp_path / "site", files), out, search=False)
    for path in ("feed.xml", "topics/trade/feed.xml"):
        feed = feedparser.parse((out / path).read_bytes())
        assert not feed.bozo
        titles = [e.title for e in feed.entries]
        assert len(titles) == 50
        assert titles[0] == "Feb 28" and titles[-1] == "Day 10"  # 28 of February, then January 31 down to 10
