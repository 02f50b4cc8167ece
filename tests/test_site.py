"""End to end: the example and default digests built, then inspected as HTML."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.build import build
from conftest import tree
from site_links import broken_links, duplicate_ids, pages_of, soup_of

EXAMPLE = Path(__file__).parent / "sites" / "example"


@pytest.fixture(scope="module")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("example") / "public"
    build(EXAMPLE, out)
    return out


@pytest.mark.parametrize("site", ["example_site", "default_site"])
def test_every_internal_link_and_fragment_resolves_from_a_sub_path(site, request):
    out = request.getfixturevalue(site)
    assert len(pages_of(out)) > 5
    assert broken_links(out) == []


@pytest.mark.parametrize("site", ["example_site", "default_site"])
def test_no_page_repeats_an_id(site, request):
    assert duplicate_ids(request.getfixturevalue(site)) == []


def test_example_site_has_every_page(example_site):
    pages = {p.relative_to(example_site).as_posix() for p in pages_of(example_site)}
    assert pages == {
        "index.html", "articles/soybean-deal/index.html", "articles/putin-call/index.html",
        "topics/index.html", "topics/trade/index.html", "topics/agriculture/index.html", "topics/russia/index.html",
        "sources/index.html", "sources/xinhua/index.html", "sources/trump/index.html", "sources/kremlin/index.html",
        "sources/analysts/index.html", "sources/local-blog/index.html", "discrepancies/index.html",
        "claimants/index.html", "claimants/donald-trump/index.html", "claimants/xinhua/index.html",
        "statuses/index.html", "statuses/confirmed/index.html", "statuses/unconfirmed/index.html",
        "statuses/disputed/index.html", "statuses/false/index.html", "updates/index.html",
        "search/index.html", "404.html",
    }


def test_drafts_are_left_out_unless_asked_for(example_site, tmp_path):
    assert not (example_site / "articles" / "draft-story").exists()
    build(EXAMPLE, tmp_path / "out", include_drafts=True)
    assert (tmp_path / "out" / "articles" / "draft-story" / "index.html").is_file()


def test_home_lists_articles_newest_first_with_counts(example_site):
    soup = soup_of(example_site / "index.html")
    items = soup.select(".article-list > li")
    assert [li.h2.get_text(strip=True) for li in items] == ["Soybean deal announced", "Xi and Putin talk"]
    assert "3 claims, 3 caveats" in items[0].get_text(" ", strip=True)
    assert "Trump says China will buy more soybeans" in items[0].get_text()


# --- The default digest: the seed article and its annotations ---------------------------------

ARTICLE = "articles/trump-xi-call-2026-02-04/index.html"


def test_soybean_quote_is_highlighted_and_linked_to_its_note(default_site):
    soup = soup_of(default_site / ARTICLE)
    mark = soup.select_one("#hl-claim-soybeans")
    assert mark.name == "mark"
    assert mark.get_text().startswith("China”s commitment to markedly increase its imports of US soybeans")
    assert "12 million tons to 20 million tons this season" in mark.get_text()
    marker = soup.select_one("#ref-hl-claim-soybeans")
    assert marker["href"] == "#claim-soybeans"
    note = soup.select_one("#claim-soybeans")
    assert note.select_one("a.backref")["href"] == "#hl-claim-soybeans"
    assert note.select_one(".status").get_text(strip=True) == "Unconfirmed"
    assert "Donald Trump" in note.get_text()


def test_soybean_note_links_the_xinhua_caveat(default_site):
    note = soup_of(default_site / ARTICLE).select_one("#claim-soybeans")
    caveat_links = [a["href"] for a in note.select(".qualifiers a")]
    assert "#caveat-xinhua-omits-soybeans" in caveat_links
    caveat = soup_of(default_site / ARTICLE).select_one("#caveat-xinhua-omits-soybeans")
    assert "does not mention the soybean purchases" in caveat.get_text()


def test_xinhua_source_page_lists_the_soybean_caveat_with_a_link_to_it(default_site):
    soup = soup_of(default_site / "sources/xinhua/index.html")
    texts = [li.get_text(" ", strip=True) for li in soup.select(".caveat-item")]
    assert any("does not mention the soybean purchases" in t for t in texts)
    hrefs = [a["href"] for a in soup.select(".caveat-item a")]
    assert "../../articles/trump-xi-call-2026-02-04/#caveat-xinhua-omits-soybeans" in hrefs
    assert "../../articles/trump-xi-call-2026-02-04/#hl-caveat-xinhua-omits-soybeans" in hrefs


def test_source_page_lists_every_claim_citing_it_linked_to_the_highlight(default_site):
    soup = soup_of(default_site / "sources/trump-truth-social/index.html")
    hrefs = [a["href"] for a in soup.select(".cited blockquote a")]
    assert hrefs == [f"../../articles/trump-xi-call-2026-02-04/#hl-claim-{c}" for c in ("trump-post", "soybeans", "oil-gas")]


def test_comparison_table_marks_xinhua_as_omitting_the_soybean_claim(default_site):
    soup = soup_of(default_site / ARTICLE)
    table = soup.select_one(".comparison table")
    columns = [th.get_text(strip=True) for th in table.select("thead th")][1:]
    row = next(tr for tr in table.select("tbody tr") if tr.th.a["href"] == "#claim-soybeans")
    cells = dict(zip(columns, (td.get_text(" ", strip=True) for td in row.select("td"))))
    assert cells["Xinhua News Agency"].endswith("Omits")
    assert cells["Donald Trump on Truth Social"].endswith("Reports")
    assert row.select_one('td[data-source="xinhua"] a')["href"] == "#caveat-xinhua-omits-soybeans"


def test_discrepancies_page_gathers_omissions_and_contradictions_only(example_site):
    soup = soup_of(example_site / "discrepancies/index.html")
    kinds = [li.select_one(".kind").get_text(strip=True) for li in soup.select(".caveat-item")]
    assert kinds == ["Omission", "Contradiction", "Omission"]  # newest article first, then reading order
    assert "context" not in soup.select_one("main").get_text().lower().split()


def test_topic_page_lists_its_articles_and_claims(default_site):
    soup = soup_of(default_site / "topics/agriculture/index.html")
    assert [a.get_text() for a in soup.select(".article-list h3 a")] == [
        "Trump and Xi hold their first call in two months: soybeans, energy and Taiwan"]
    assert [a["href"] for a in soup.select(".cited blockquote a")] == [
        "../../articles/trump-xi-call-2026-02-04/#hl-claim-soybeans"]


def test_topics_index_counts_articles_and_claims(example_site):
    soup = soup_of(example_site / "topics/index.html")
    rows = {li.a.get_text(): li.select_one(".count").get_text(strip=True) for li in soup.select(".index-list > li")}
    assert rows == {"Agriculture": "1 article, 1 claim", "Russia": "1 article, 0 claims", "Trade": "1 article, 1 claim"}


def test_local_source_gets_its_own_page_and_contradiction_cell(example_site):
    soup = soup_of(example_site / "sources/local-blog/index.html")
    assert soup.h1.get_text() == "Local Farm Blog"
    article = soup_of(example_site / "articles/soybean-deal/index.html")
    cell = article.select_one('tr:has(a[href="#claim-great-deal"]) td[data-source="local-blog"]')
    assert cell.get_text(strip=True).endswith("Contradicts")


def test_building_twice_gives_identical_bytes(tmp_path):
    build(EXAMPLE, tmp_path / "one")
    build(EXAMPLE, tmp_path / "two")
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
