"""The fact-checker's desk, end to end: claimant and verdict pages, verdicts over time, corrections,
cited documents with archived copies, the updates page and feed, JSON-LD and the exports.

tests/sites/desk/ is a small digest that uses every part of it; the default digest and the
`digest init` example are checked for what they gain without (or with) content of their own.
"""

from __future__ import annotations

import json
from pathlib import Path

import extruct
import feedparser
import pytest

from builder.build import build
from builder.stages.content import load_registries, read_text
from builder.stages.links import citation_links, claimant_links, external_links
from conftest import load_content
from site_links import broken_links, duplicate_ids, pages_of, soup_of

DESK = Path(__file__).parent / "sites" / "desk"
WATER = "articles/water-tariffs/index.html"
BUDGET = "articles/budget-vote/index.html"
BASE = "https://example.org/desk/"


@pytest.fixture(scope="module")
def desk_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("desk") / "public"
    build(DESK, out, search=False)
    return out


def text_of(element) -> str:  # type: ignore[no-untyped-def]
    return " ".join(element.get_text().split())


def test_the_desk_builds_without_warnings(tmp_path: Path) -> None:
    summary = build(DESK, tmp_path / "out", search=False)
    assert (summary.articles, summary.claims, summary.caveats, summary.warnings) == (2, 6, 2, ())


def test_every_claimant_and_every_verdict_has_a_page(desk_site: Path) -> None:
    pages = {p.relative_to(desk_site).as_posix() for p in pages_of(desk_site)}
    assert {p for p in pages if p.startswith(("claimants/", "statuses/", "updates/"))} == {
        "claimants/index.html", "claimants/ana-lopez/index.html", "claimants/zhang-wei/index.html",
        "claimants/riverton-city-council/index.html", "claimants/riverton-transit-riders-association/index.html",
        "statuses/index.html", "statuses/confirmed/index.html", "statuses/unconfirmed/index.html",
        "statuses/disputed/index.html", "statuses/false/index.html", "updates/index.html"}


@pytest.mark.parametrize("check", [broken_links, duplicate_ids])
def test_links_fragments_and_ids_hold_on_every_page(desk_site: Path, check) -> None:  # type: ignore[no-untyped-def]
    assert check(desk_site) == []


def test_no_id_link_is_left_unresolved(desk_site: Path) -> None:
    left = [f"{p.relative_to(desk_site)}: {a['href']}" for p in pages_of(desk_site)
            for a in soup_of(p).select("a[href^='@']")]
    assert left == []


# --- Claimants ---------------------------------------------------------------------------------

def test_claimants_index_counts_each_claimants_claims_per_verdict(desk_site: Path) -> None:
    table = soup_of(desk_site / "claimants/index.html").select_one("table")
    assert [text_of(th) for th in table.select("thead th")] == [
        "Claimant", "Claims", "Confirmed", "Unconfirmed", "Disputed", "False"]
    rows = [[text_of(cell) for cell in tr.select("th, td")] for tr in table.select("tbody tr")]
    assert rows == [
        ["Ana Lopez", "3", "1", "1", "0", "1"],
        ["Riverton City Council", "1", "1", "0", "0", "0"],
        ["Riverton Transit Riders' Association", "1", "1", "0", "0", "0"],
        ["张伟", "1", "0", "0", "1", "0"],
    ]
    assert table.select_one("tbody tr th a")["href"] == "ana-lopez/"


def test_a_claimants_page_gathers_their_aliases_newest_claim_first(desk_site: Path) -> None:
    soup = soup_of(desk_site / "claimants/ana-lopez/index.html")
    assert soup.h1.get_text() == "Ana Lopez"
    assert soup.select_one(".lede").get_text() == "Mayor of Riverton since 2022."
    assert "Also named Mayor Ana Lopez, Mayor Lopez" in text_of(soup.select_one("main .meta"))
    # "Mayor Lopez" and "Ana Lopez" (2026-03-01), then "Mayor Ana Lopez" (2026-02-20): newest first.
    assert [a["href"] for a in soup.select(".cited blockquote a")] == [
        "../../articles/water-tariffs/#hl-claim-rates-fall", "../../articles/water-tariffs/#hl-claim-reservoir",
        "../../articles/budget-vote/#hl-claim-no-borrowing"]
    assert [text_of(li.select_one(".status")) for li in soup.select(".cited")] == [
        "False", "Confirmed", "Unconfirmed"]
    assert [text_of(li) for li in soup.select(".tally li")] == [
        "Confirmed 1", "Unconfirmed 1", "Disputed 0", "False 1"]


def test_a_name_without_latin_letters_gets_the_page_of_its_registered_id(desk_site: Path) -> None:
    soup = soup_of(desk_site / "claimants/zhang-wei/index.html")
    assert soup.h1.get_text() == "张伟"
    note = soup_of(desk_site / BUDGET).select_one("#claim-exchange-free .claimant a")
    assert (note.get_text(), note["href"]) == ("张伟", "../../claimants/zhang-wei/")


def test_claim_notes_and_index_items_link_the_claimant_by_their_registered_name(desk_site: Path) -> None:
    note = soup_of(desk_site / WATER).select_one("#claim-rates-fall .claimant")
    assert text_of(note) == "claimed by Ana Lopez"  # the claim says "Mayor Lopez", an alias
    assert note.a["href"] == "../../claimants/ana-lopez/"
    item = soup_of(desk_site / "topics/water/index.html").select_one(".cited .claimant a")
    assert (item.get_text(), item["href"]) == ("Ana Lopez", "../../claimants/ana-lopez/")


# --- Verdicts ----------------------------------------------------------------------------------

def test_the_verdicts_index_is_the_scale_with_counts(desk_site: Path) -> None:
    soup = soup_of(desk_site / "statuses/index.html")
    assert [(text_of(li.select_one(".status")), text_of(li.select_one(".count")), li.a["href"])
            for li in soup.select(".scale > li")] == [
        ("Confirmed", "3 claims", "confirmed/"), ("Unconfirmed", "1 claim", "unconfirmed/"),
        ("Disputed", "1 claim", "disputed/"), ("False", "1 claim", "false/")]


def test_a_verdicts_page_lists_every_claim_that_has_it_now(desk_site: Path) -> None:
    soup = soup_of(desk_site / "statuses/confirmed/index.html")
    assert soup.h1.get_text() == "Confirmed"
    assert [a["href"] for a in soup.select(".cited blockquote a")] == [
        "../../articles/water-tariffs/#hl-claim-reservoir", "../../articles/budget-vote/#hl-claim-passed",
        "../../articles/budget-vote/#hl-claim-fares"]
    # A claim that was once unconfirmed is listed under its verdict now only.
    unconfirmed = soup_of(desk_site / "statuses/unconfirmed/index.html")
    assert [a["href"] for a in unconfirmed.select(".cited blockquote a")] == [
        "../../articles/budget-vote/#hl-claim-no-borrowing"]


def test_a_claims_note_shows_every_verdict_with_its_date(desk_site: Path) -> None:
    history = soup_of(desk_site / WATER).select_one("#claim-rates-fall .verdict-history")
    steps = history.select("li")
    assert [(li.time["datetime"], li.time.get_text(), text_of(li.select_one(".status"))) for li in steps] == [
        ("2026-03-02", "2 March 2026", "Unconfirmed"), ("2026-03-10", "10 March 2026", "Disputed"),
        ("2026-03-20", "20 March 2026", "False")]
    assert steps[-1]["class"] == ["current"] and "current" in text_of(steps[-1])
    assert text_of(steps[1].select_one(".verdict-note")) == (
        "The water board's tariff schedule shows no cut; the mayor's office says one is coming.")


def test_a_verdict_given_after_the_article_without_history_is_dated_in_its_note(desk_site: Path) -> None:
    note = soup_of(desk_site / BUDGET).select_one("#claim-exchange-free")
    assert note.select_one(".verdict-history") is None
    assert note.select_one(".verdict-date time")["datetime"] == "2026-02-27"


# --- The article: its "Updated" notice and corrections -----------------------------------------

def test_the_article_says_what_changed_since_publication_newest_first(desk_site: Path) -> None:
    notice = soup_of(desk_site / WATER).select_one("aside.updated-notice")
    assert text_of(notice.h2) == "Updated 20 March 2026"
    assert notice.h2.time["datetime"] == "2026-03-20"
    assert [text_of(li) for li in notice.select("li")] == [
        "20 March 2026: Verdict on claim 1 changed from Disputed to False.",
        "10 March 2026: Verdict on claim 1 changed from Unconfirmed to Disputed.",
        "5 March 2026: Correction (caveat b): An earlier version of this article gave the reservoir figure to the "
        "mayor's office; it comes from the water board.",
        "2 March 2026: Claim 1 rated Unconfirmed.",
    ]
    assert [a["href"] for a in notice.select("li a")] == [
        "#claim-rates-fall", "#claim-rates-fall", "#caveat-misattributed-figure", "#claim-rates-fall"]
    assert [t["datetime"] for t in notice.select("li > time")] == ["2026-03-20", "2026-03-10", "2026-03-05", "2026-03-02"]


def test_an_article_without_changes_has_no_notice(default_site: Path) -> None:
    assert soup_of(default_site / "articles/trump-xi-call-2026-02-04/index.html").select_one(".updated-notice") is None


def test_a_dated_correction_is_a_dated_notice_after_the_text(desk_site: Path) -> None:
    section = soup_of(desk_site / WATER).select_one("section.corrections")
    assert text_of(section.h2) == "Corrections"
    note = section.select_one("#caveat-misattributed-figure")
    assert text_of(note.select_one(".note-date")) == "Corrected 5 March 2026"
    assert note.select_one(".note-date time")["datetime"] == "2026-03-05"
    assert soup_of(desk_site / WATER).select_one(".other-caveats") is None  # it is not listed twice


def test_other_dated_caveats_say_when_they_were_added(desk_site: Path) -> None:
    note = soup_of(desk_site / WATER).select_one("#caveat-no-announcement")
    assert text_of(note.select_one(".note-date")) == "Added 2 March 2026"


# --- Cited documents and archived copies -------------------------------------------------------

def test_a_citation_shows_the_title_with_the_original_and_the_archived_copy(desk_site: Path) -> None:
    sources = soup_of(desk_site / WATER).select_one("#claim-rates-fall .citations")
    items = sources.select("li")
    assert text_of(items[0]) == "Riverton City Council"  # a plain source id, as before
    document = items[1]
    assert document.select_one("a")["href"] == "../../sources/water-board/"
    original = document.select_one("a.document")
    assert (original["href"], original.cite.get_text()) == ("https://water.example.org/tariffs-2026", "2026 tariff schedule")
    archived = document.select_one("a[data-archived]")
    assert archived["href"] == "https://web.archive.org/web/20260310000000/https://water.example.org/tariffs-2026"
    assert text_of(archived) == "archived copy of 2026 tariff schedule"
    assert text_of(document) == ("Riverton Water Board: 2026 tariff schedule (archived copy of 2026 tariff schedule, "
                                 "10 March 2026) accessed 10 March 2026")
    assert [t["datetime"] for t in document.select("time")] == ["2026-03-10", "2026-03-10"]


def test_a_claim_citing_no_document_keeps_its_plain_source_links(desk_site: Path) -> None:
    facts = soup_of(desk_site / BUDGET).select_one("#claim-passed .facts dd")
    assert facts.select_one(".citations") is None
    assert [a.get_text() for a in facts.select("a")] == ["Riverton City Council", "The Riverton Gazette"]


def test_the_source_page_lists_every_document_of_it_that_is_cited(desk_site: Path) -> None:
    documents = soup_of(desk_site / "sources/water-board/index.html").select(".documents > li")
    assert [d.cite.get_text() for d in documents] == ["2026 tariff schedule", "Announcements", "February 2026 bulletin"]
    assert [[a["href"] for a in d.select(".meta a")] for d in documents] == [
        ["../../articles/water-tariffs/#claim-rates-fall", "../../articles/water-tariffs/"],
        ["../../articles/water-tariffs/#caveat-no-announcement", "../../articles/water-tariffs/"],
        ["../../articles/water-tariffs/#claim-reservoir", "../../articles/water-tariffs/"],
    ]
    assert text_of(documents[0].select_one(".meta")) == "Cited by claim 1 in Mayor says water bills will fall this spring"
    assert soup_of(desk_site / "sources/council/index.html").select_one(".documents") is None


# --- Updates -----------------------------------------------------------------------------------

def test_updates_lists_every_verdict_change_and_dated_correction_newest_first(desk_site: Path) -> None:
    soup = soup_of(desk_site / "updates/index.html")
    items = soup.select(".updates-list > li")
    assert [(li.time["datetime"], text_of(li.select_one(".update-what"))) for li in items] == [
        ("2026-03-20", "Verdict on claim 1 changed from Disputed to False."),
        ("2026-03-10", "Verdict on claim 1 changed from Unconfirmed to Disputed."),
        ("2026-03-05", "Correction (caveat b):"),
        ("2026-03-02", "Claim 1 rated Unconfirmed."),
        ("2026-02-27", "Claim 4 rated Disputed."),
    ]
    assert [li.select_one(".update-what a")["href"] for li in items] == [
        "../articles/water-tariffs/#claim-rates-fall", "../articles/water-tariffs/#claim-rates-fall",
        "../articles/water-tariffs/#caveat-misattributed-figure", "../articles/water-tariffs/#claim-rates-fall",
        "../articles/budget-vote/#claim-exchange-free"]
    # The step to the current verdict carries the claim's note, whose id link works from this page too.
    assert items[0].select_one(".update-note a")["href"] == "../articles/budget-vote/"


def test_the_home_page_shows_the_latest_updates_and_links_them(desk_site: Path) -> None:
    box = soup_of(desk_site / "index.html").select_one(".latest-updates")
    assert len(box.select("li")) == 3
    assert [a["href"] for a in box.select(".meta a")] == ["updates/", "updates.xml"]


@pytest.mark.parametrize("page", ["index.html", WATER, "claimants/ana-lopez/index.html", "404.html"])
def test_every_page_advertises_the_updates_feed(desk_site: Path, page: str) -> None:
    links = soup_of(desk_site / page).select('head link[rel="alternate"][type="application/atom+xml"]')
    assert any(link["href"].endswith("updates.xml") for link in links)


def test_the_updates_feed_has_an_entry_per_change_linking_to_its_note(desk_site: Path) -> None:
    feed = feedparser.parse((desk_site / "updates.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Updates · The Riverton Desk"
    assert feed.feed.updated.startswith("2026-03-20")
    assert [(e.title, e.link, e.published[:10]) for e in feed.entries] == [
        ("Verdict changed to False: Water tariffs will fall by five per cent in April.",
         f"{BASE}articles/water-tariffs/#claim-rates-fall", "2026-03-20"),
        ("Verdict changed to Disputed: Water tariffs will fall by five per cent in April.",
         f"{BASE}articles/water-tariffs/#claim-rates-fall", "2026-03-10"),
        ("Correction to “Mayor says water bills will fall this spring”",
         f"{BASE}articles/water-tariffs/#caveat-misattributed-figure", "2026-03-05"),
        ("Rated Unconfirmed: Water tariffs will fall by five per cent in April.",
         f"{BASE}articles/water-tariffs/#claim-rates-fall", "2026-03-02"),
        ("Rated Disputed: the exchange programme would cost nothing",
         f"{BASE}articles/budget-vote/#claim-exchange-free", "2026-02-27"),
    ]
    assert len({e.id for e in feed.entries}) == 5 and all(e.id.startswith("urn:uuid:") for e in feed.entries)
    assert "from Unconfirmed to Disputed" in feed.entries[1].content[0].value


def test_an_update_keeps_its_feed_id_when_an_earlier_verdict_is_added(tmp_path: Path) -> None:
    import shutil
    site = tmp_path / "site"
    shutil.copytree(DESK, site)
    build(site, tmp_path / "before", search=False)
    annotations = site / "content/articles/water-tariffs.yaml"
    annotations.write_text(annotations.read_text(encoding="utf-8").replace(
        "    history:\n", "    history:\n      - date: 2026-03-01\n        status: confirmed\n", 1), encoding="utf-8")
    build(site, tmp_path / "after", search=False)

    def ids(folder: str) -> dict[tuple[str, str], str]:
        entries = feedparser.parse((tmp_path / folder / "updates.xml").read_bytes()).entries
        return {(e.link, e.published[:10]): e.id for e in entries}

    before, after = ids("before"), ids("after")
    assert len(after) == len(before) + 1
    assert {key: after[key] for key in before} == before  # the step on 2 March is now a change, with the same id


# --- Id links ----------------------------------------------------------------------------------

def test_id_links_in_the_text_resolve_to_relative_urls(desk_site: Path) -> None:
    links = {a.get_text(): a["href"] for a in soup_of(desk_site / WATER).select("#article-text a[href]")
             if not a.find_parent("sup")}
    assert links == {
        "its February bulletin": "https://water.example.org/bulletin-2026-02",
        "the council would not borrow": "../budget-vote/#claim-no-borrowing",
        "the water board's page": "../../sources/water-board/",
        "everything on water": "../../topics/water/",
        "Ana Lopez's claims": "../../claimants/ana-lopez/",
        "every false claim": "../../statuses/false/",
    }


def test_links_in_notes_work_on_every_page_that_shows_the_note(desk_site: Path) -> None:
    on_article = soup_of(desk_site / WATER).select_one("#caveat-no-announcement .note-text a")["href"]
    on_source = soup_of(desk_site / "sources/water-board/index.html").select_one(".caveat-item .caveat-text a")["href"]
    on_discrepancies = soup_of(desk_site / "discrepancies/index.html").select_one(".caveat-text a")["href"]
    assert (on_article, on_source, on_discrepancies) == (
        "#claim-rates-fall", "../../articles/water-tariffs/#claim-rates-fall", "../articles/water-tariffs/#claim-rates-fall")
    note_link = soup_of(desk_site / BUDGET).select_one("#claim-no-borrowing .note-text a")["href"]
    assert note_link == "../../sources/statistics/"


def test_id_links_in_feed_entries_resolve_against_the_entrys_base(desk_site: Path) -> None:
    entry = next(e for e in feedparser.parse((desk_site / "feed.xml").read_bytes()).entries
                 if e.title.startswith("Mayor says"))
    # feedparser resolves the entry's links against its xml:base, the article's page
    assert f'href="{BASE}articles/budget-vote/#claim-no-borrowing"' in entry.content[0].value
    assert 'href="@/' not in entry.content[0].value


# --- JSON-LD and the exports -------------------------------------------------------------------

def json_ld(page: Path, url: str) -> list[dict]:
    return extruct.extract(page.read_text(), base_url=url, syntaxes=["json-ld"], uniform=True)["json-ld"]


def test_claim_reviews_have_a_stable_id_and_the_date_of_their_verdict(desk_site: Path) -> None:
    url = f"{BASE}articles/water-tariffs/"
    items = json_ld(desk_site / WATER, url)
    news = next(i for i in items if i["@type"] == "NewsArticle")
    assert (news["datePublished"], news["dateModified"]) == ("2026-03-01", "2026-03-20")
    reviews = {r["@id"]: r for r in items if r["@type"] == "ClaimReview"}
    assert set(reviews) == {f"{url}#claim-rates-fall", f"{url}#claim-reservoir"}
    rates = reviews[f"{url}#claim-rates-fall"]
    assert (rates["url"], rates["datePublished"], rates["dateModified"]) == (f"{url}#claim-rates-fall", "2026-03-01", "2026-03-20")
    assert rates["reviewRating"]["alternateName"] == "False"
    assert rates["itemReviewed"]["author"] == {"@type": "Person", "name": "Ana Lopez",
                                               "url": "https://council.example.org/mayor"}
    assert rates["itemReviewed"]["appearance"][:2] == [
        {"@type": "CreativeWork", "url": "https://council.example.org/", "name": "Riverton City Council"},
        {"@type": "CreativeWork", "url": "https://water.example.org/tariffs-2026", "name": "2026 tariff schedule",
         "archivedAt": "https://web.archive.org/web/20260310000000/https://water.example.org/tariffs-2026"}]
    assert reviews[f"{url}#claim-reservoir"]["dateModified"] == "2026-03-01"  # no change: the article's date


def test_an_article_without_changes_has_no_date_modified(default_site: Path) -> None:
    url = "https://example.org/digest/articles/trump-xi-call-2026-02-04/"
    items = json_ld(default_site / "articles/trump-xi-call-2026-02-04/index.html", url)
    assert "dateModified" not in next(i for i in items if i["@type"] == "NewsArticle")
    assert all(r["dateModified"] == "2026-02-04" and r["@id"] == r["url"] for r in items if r["@type"] == "ClaimReview")


def test_the_json_export_carries_history_citations_and_claimants(desk_site: Path) -> None:
    data = json.loads((desk_site / "data/claims.json").read_text(encoding="utf-8"))
    # Claims and caveats are in each article's data file (data/articles/<slug>.json).
    articles = [json.loads((desk_site / "data/articles" / f"{a['id']}.json").read_text(encoding="utf-8"))
                for a in data["articles"]]
    claims = {c["id"]: c for a in articles for c in a["claims"]}
    rates = claims["water-tariffs/rates-fall"]
    assert rates["updated"] == "2026-03-20" and rates["status"] == "false"
    assert rates["history"] == [
        {"date": "2026-03-02", "status": "unconfirmed", "status_label": "Unconfirmed", "note": ""},
        {"date": "2026-03-10", "status": "disputed", "status_label": "Disputed",
         "note": "The water board's tariff schedule shows no cut; the mayor's office says one is coming."}]
    assert rates["citations"] == [{
        "source": "water-board", "url": "https://water.example.org/tariffs-2026", "title": "2026 tariff schedule",
        "archive_url": "https://web.archive.org/web/20260310000000/https://water.example.org/tariffs-2026",
        "archive_date": "2026-03-10", "accessed": "2026-03-10"}]
    assert rates["sources"] == ["council", "water-board"]
    assert claims["budget-vote/passed"]["history"] == [] and claims["budget-vote/passed"]["citations"] == []
    caveats = {c["id"]: c for a in articles for c in a["caveats"]}
    assert caveats["water-tariffs/misattributed-figure"]["date"] == "2026-03-05"
    claimants = {c["id"]: c for c in data["claimants"]}
    assert claimants["ana-lopez"] == {
        "id": "ana-lopez", "name": "Ana Lopez", "description": "Mayor of Riverton since 2022.",
        "url": "https://council.example.org/mayor", "aliases": ["Mayor Ana Lopez", "Mayor Lopez"], "registered": True,
        "page": f"{BASE}claimants/ana-lopez/"}
    # Each claim names its claimant by the claimant's id.
    assert sorted(c["id"] for c in claims.values() if c["claimant_id"] == "ana-lopez") == [
        "budget-vote/no-borrowing", "water-tariffs/rates-fall", "water-tariffs/reservoir"]
    assert claimants["riverton-city-council"]["registered"] is False
    assert next(s for s in data["statuses"] if s["id"] == "false")["page"] == f"{BASE}statuses/false/"


def test_external_links_lists_every_cited_url_where_it_is_written() -> None:
    content = load_content(DESK)
    texts = {a.annotations_path: read_text(DESK, a.annotations_path) for a in content.articles if a.annotations_path}
    links = external_links(content.sources, content.articles, texts,
                           citations=[*citation_links(content.articles), *claimant_links(load_registries(DESK).claimants)])
    assert [(link.url, str(link.at), link.archive_url or None) for link in links] == [
        ("https://stats.example.org/debt-2026.pdf", "content/articles/budget-vote.yaml:16:14", None),
        ("https://water.example.org/bulletin-2026-02", "content/articles/water-tariffs.md:12:44", None),
        ("https://water.example.org/tariffs-2026", "content/articles/water-tariffs.yaml:17:14",
         "https://web.archive.org/web/20260310000000/https://water.example.org/tariffs-2026"),
        ("https://web.archive.org/web/20260310000000/https://water.example.org/tariffs-2026",
         "content/articles/water-tariffs.yaml:19:22", None),
        ("https://water.example.org/bulletin-2026-02", "content/articles/water-tariffs.yaml:34:14",
         "https://web.archive.org/web/20260228000000/https://water.example.org/bulletin-2026-02"),
        ("https://web.archive.org/web/20260228000000/https://water.example.org/bulletin-2026-02",
         "content/articles/water-tariffs.yaml:36:22", None),
        ("https://water.example.org/news", "content/articles/water-tariffs.yaml:52:14", None),
        ("https://council.example.org/mayor", "content/claimants.yaml:4:8", None),
        ("https://water.example.org/", "content/sources.yaml:4:8", None),
        ("https://council.example.org/", "content/sources.yaml:9:8", None),
        ("https://gazette.example.org/", "content/sources.yaml:13:8", None),
        ("https://stats.example.org/", "content/sources.yaml:17:8", None),
    ]


# --- The default digest and the `digest init` example ------------------------------------------

def test_the_default_digest_gains_claimant_and_verdict_pages_without_content_changes(default_site: Path) -> None:
    rows = {text_of(tr.th): [text_of(td) for td in tr.select("td")]
            for tr in soup_of(default_site / "claimants/index.html").select("tbody tr")}
    assert rows == {"Donald Trump": ["3", "1", "2", "0", "0"], "The original report": ["4", "0", "4", "0", "0"],
                    "Xinhua News Agency": ["1", "0", "1", "0", "0"]}
    trump = soup_of(default_site / "claimants/donald-trump/index.html")
    assert [a["href"] for a in trump.select(".cited blockquote a")] == [
        f"../../articles/trump-xi-call-2026-02-04/#hl-claim-{c}" for c in ("trump-post", "soybeans", "oil-gas")]
    assert len(soup_of(default_site / "statuses/unconfirmed/index.html").select(".cited")) == 7
    assert "No verdict has changed" in text_of(soup_of(default_site / "updates/index.html").select_one("main"))


def test_the_init_example_shows_a_verdict_history_a_dated_correction_and_an_archived_citation(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from builder.cli import main
    assert CliRunner().invoke(main, ["init", str(tmp_path / "site")]).exit_code == 0
    build(tmp_path / "site", tmp_path / "out", search=False)
    soup = soup_of(tmp_path / "out/articles/riverton-bus-fares/index.html")
    assert [li.time["datetime"] for li in soup.select("#claim-savings .verdict-history li")] == ["2026-01-15", "2026-01-22"]
    assert soup.select_one("#claim-savings a[data-archived]")["href"].startswith("https://web.archive.org/")
    assert soup.select_one(".corrections #caveat-vote-count .note-date time")["datetime"] == "2026-01-16"
    assert soup.select_one("#caveat-cost-not-stated .note-text a")["href"] == "./#claim-vote"
    assert len(soup.select(".updated-notice li")) == 2
    assert soup.select_one("#claim-savings .claimant a")["href"] == "../../claimants/ana-lopez/"
    assert [e.title for e in feedparser.parse((tmp_path / "out/updates.xml").read_bytes()).entries] == [
        "Verdict changed to Disputed: A regular commuter saves about 120 dollars a year.",
        "Correction to “Riverton council freezes bus fares for a year”",
        "Rated Unconfirmed: A regular commuter saves about 120 dollars a year."]


def test_the_desk_builds_byte_identical_twice(tmp_path: Path) -> None:
    from conftest import tree
    build(DESK, tmp_path / "one", search=False, use_cache=False)
    build(DESK, tmp_path / "two", search=False, use_cache=False)
    assert tree(tmp_path / "one") == tree(tmp_path / "two")



def test_an_articles_feed_entry_is_updated_by_its_latest_change(desk_site: Path) -> None:
    feed = feedparser.parse((desk_site / "feed.xml").read_bytes())
    entries = {e.title: e for e in feed.entries}
    water = entries["Mayor says water bills will fall this spring"]
    assert (water.published[:10], water.updated[:10]) == ("2026-03-01", "2026-03-20")
    budget = entries["Council passes its budget without new borrowing"]
    assert (budget.published[:10], budget.updated[:10]) == ("2026-02-20", "2026-02-27")
    assert feed.feed.updated.startswith("2026-03-20")
