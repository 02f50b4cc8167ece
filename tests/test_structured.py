"""JSON-LD: NewsArticle and ClaimReview on article pages, safely escaped."""

from __future__ import annotations

import json
from pathlib import Path

import extruct
from bs4 import BeautifulSoup

from builder.build import build
from builder.stages.structured import script_json
from conftest import article, make_site

ARTICLE_URL = "https://example.org/digest/articles/trump-xi-call-2026-02-04/"


def json_ld(page: Path, url: str) -> list[dict]:
    return extruct.extract(page.read_text(), base_url=url, syntaxes=["json-ld"], uniform=True)["json-ld"]


def test_article_page_has_a_news_article(default_site: Path) -> None:
    items = json_ld(default_site / "articles" / "trump-xi-call-2026-02-04" / "index.html", ARTICLE_URL)
    news = [i for i in items if i["@type"] == "NewsArticle"]
    assert len(news) == 1
    assert news[0]["headline"].startswith("Trump and Xi hold their first call")
    assert news[0]["datePublished"] == "2026-02-04"
    assert news[0]["url"] == ARTICLE_URL
    assert news[0]["publisher"]["name"] == "The Annotated Digest"
    assert news[0]["author"]["name"] == "The original news report"
    assert news[0]["keywords"][:3] == ["US–China relations", "Trade", "Agriculture"]


def test_every_rated_claim_has_a_claim_review_with_googles_properties(default_site: Path) -> None:
    items = json_ld(default_site / "articles" / "trump-xi-call-2026-02-04" / "index.html", ARTICLE_URL)
    reviews = {r["url"]: r for r in items if r["@type"] == "ClaimReview"}
    assert len(reviews) == 8  # every status of the default scale has a rating
    soybeans = reviews[ARTICLE_URL + "#claim-soybeans"]
    assert soybeans["claimReviewed"].startswith("China committed to raise its US soybean purchases")
    assert soybeans["datePublished"] == "2026-02-04"
    assert soybeans["author"] == {"@type": "Organization", "name": "The Annotated Digest", "url": "https://example.org/digest/"}
    assert soybeans["reviewRating"] == {"@type": "Rating", "ratingValue": 3, "bestRating": 5, "worstRating": 1,
                                        "alternateName": "Unconfirmed"}
    claim = soybeans["itemReviewed"]
    assert claim["@type"] == "Claim"
    assert claim["author"] == {"@type": "Person", "name": "Donald Trump"}
    assert claim["datePublished"] == "2026-02-04"
    appearance_urls = [a["url"] for a in claim["appearance"]]
    assert appearance_urls == ["https://truthsocial.com/@realDonaldTrump", ARTICLE_URL + "#hl-claim-soybeans"]
    assert claim["firstAppearance"]["url"] == "https://truthsocial.com/@realDonaldTrump"
    confirmed = reviews[ARTICLE_URL + "#claim-trump-post"]
    assert confirmed["reviewRating"]["ratingValue"] == 5 and confirmed["reviewRating"]["alternateName"] == "Confirmed"


def test_statuses_without_a_rating_publish_no_review(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {
        "site/config.yaml": """\
            title: T
            statuses:
              - {id: true-ish, label: Mostly true, rating: 4}
              - {id: pending, label: Pending}
            """,
        "content/articles/a.md": article(body="One two three four."),
        "content/articles/a.yaml": """\
            claims:
              - {id: one, quote: One, status: true-ish, sources: [trump]}
              - {id: two, quote: two, status: pending, sources: [trump]}
            """,
    })
    build(root, tmp_path / "out", search=False)
    items = json_ld(tmp_path / "out" / "articles" / "a" / "index.html", "https://h.test/articles/a/")
    reviews = [i for i in items if i["@type"] == "ClaimReview"]
    assert [r["reviewRating"]["ratingValue"] for r in reviews] == [4]
    assert reviews[0]["url"] == "#claim-one"  # without base_url: relative to the page, as JSON-LD resolves it


def test_rating_outside_one_to_five_is_a_located_error(tmp_path: Path) -> None:
    from builder.stages.diagnostics import ContentErrors
    root = make_site(tmp_path / "site", {"site/config.yaml": "title: T\nstatuses:\n  - {id: ok, label: OK, rating: 9}\n",
                                             "content/articles/a.md": article()})
    try:
        build(root, tmp_path / "out", search=False)
    except ContentErrors as errors:
        assert [str(d) for d in errors.diagnostics] == [
            "site/config.yaml:3:33: error: 'rating' must be a whole number from 1 (worst) to 5 (best), not '9'"]
    else:
        raise AssertionError("no error")


def test_script_json_cannot_be_closed_by_content() -> None:
    text = str(script_json({"claim": "</script><script>alert(1)</script> & <!--"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"claim": "</script><script>alert(1)</script> & <!--"}


def test_hostile_title_stays_inside_the_json_ld(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {
        "content/articles/a.md": article(title="'</script><script>alert(1)</script>'", body="Text."),
    })
    build(root, tmp_path / "out", search=False)
    soup = BeautifulSoup((tmp_path / "out" / "articles" / "a" / "index.html").read_text(), "html.parser")
    scripts = soup.find_all("script")
    assert [s.get("type") for s in scripts if not s.get("src")] == ["application/ld+json"]
    data = json.loads(scripts[0].string if scripts[0].string else scripts[1].string)
    assert data[0]["headline"] == "</script><script>alert(1)</script>"
