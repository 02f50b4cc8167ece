"""The exports: claims.json with a data file per article, and a paged Web Annotation collection whose
ids, URLs and selectors re-anchor."""

from __future__ import annotations

import json
from pathlib import Path

from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.stages import markup
from builder.stages.anchoring import Span
from builder.stages.pagetext import page_text

SLUG = "trump-xi-call-2026-02-04"


BASE = "https://example.org/digest/"


def load(default_site: Path, name: str) -> dict:
    return json.loads((default_site / "data" / name).read_text(encoding="utf-8"))


def local(site: Path, url: str, relative_to: str) -> Path:
    """The file an export's URL names: absolute under the default digest's base_url, or relative to the file."""
    if url.startswith(BASE):
        return site / url.removeprefix(BASE)
    return (site / relative_to).parent / url


def annotation_pages(site: Path) -> list[dict]:
    """Every AnnotationPage of the collection, followed from `first` through `next`."""
    collection = load(site, "annotations.jsonld")
    pages, path = [], local(site, collection["first"], "data/annotations.jsonld")
    while True:
        page = json.loads(path.read_text(encoding="utf-8"))
        pages.append(page)
        if "next" not in page:
            return pages
        path = local(site, page["next"], path.relative_to(site).as_posix())


def test_claims_json_lists_articles_sources_and_topics_and_each_article_has_its_data_file(default_site: Path) -> None:
    index = load(default_site, "claims.json")
    assert index["format"] == 2
    (entry,) = index["articles"]
    assert entry["claims"][0].startswith(f"{SLUG}/")
    assert entry["data"] == f"{BASE}data/articles/{SLUG}.json"
    data = json.loads(local(default_site, entry["data"], "data/claims.json").read_text(encoding="utf-8"))
    assert data["article"] == entry
    claims = {c["id"]: c for c in data["claims"]}
    soybeans = claims[f"{SLUG}/soybeans"]
    assert soybeans["url"] == f"https://example.org/digest/articles/{SLUG}/#claim-soybeans"
    assert soybeans["status"] == "unconfirmed" and soybeans["rating"] == 3
    assert soybeans["sources"] == ["trump-truth-social"]
    assert soybeans["caveats"] == [f"{SLUG}/xinhua-omits-soybeans"]
    caveats = {c["id"]: c for c in data["caveats"]}
    assert caveats[f"{SLUG}/xinhua-omits-soybeans"]["claims"] == [f"{SLUG}/soybeans"]
    assert {s["id"] for s in index["sources"]} >= {"xinhua", "trump-truth-social"}
    assert next(t for t in index["topics"] if t["id"] == "trade")["page"] == "https://example.org/digest/topics/trade/"


def test_annotations_are_a_paged_web_annotation_collection(default_site: Path) -> None:
    collection = load(default_site, "annotations.jsonld")
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    assert collection["first"] == collection["last"] == f"{BASE}data/annotations/{SLUG}.jsonld"
    (page,) = annotation_pages(default_site)
    assert page["type"] == "AnnotationPage" and page["partOf"] == collection["id"]
    assert page["id"] == collection["first"] and "prev" not in page
    items = page["items"]
    assert collection["total"] == len(items) == 8 + 2  # every claim, and the two anchored caveats
    for item in items:
        assert item["type"] == "Annotation"
        assert item["target"]["source"] == f"https://example.org/digest/articles/{SLUG}/"
        quote, css = item["target"]["selector"]
        assert quote["type"] == "TextQuoteSelector" and set(quote) == {"type", "exact", "prefix", "suffix"}
        assert css == {"type": "CssSelector", "value": "#article-text", "refinedBy": css["refinedBy"]}
        assert css["refinedBy"]["type"] == "TextPositionSelector"


def test_selectors_index_the_text_content_of_the_article_text_element(default_site: Path) -> None:
    """The positions agree with the page as parsed: the element's text, every text node in order."""
    page = BeautifulSoup((default_site / "articles" / SLUG / "index.html").read_text(encoding="utf-8"), "html.parser")
    text = page.find(id="article-text").get_text()
    for item in annotation_pages(default_site)[0]["items"]:
        quote, css = item["target"]["selector"]
        start, end = css["refinedBy"]["start"], css["refinedBy"]["end"]
        assert text[start:end] == quote["exact"]
        assert text[:start].endswith(quote["prefix"]) and text[end:].startswith(quote["suffix"])
    soybeans = next(i for i in annotation_pages(default_site)[0]["items"] if i["id"].endswith("#claim-soybeans"))
    assert soybeans["target"]["selector"][0]["exact"].startswith("China”s commitment to markedly increase")


def test_page_text_decodes_references_and_keeps_markers_and_block_newlines() -> None:
    body = ('<p>A &amp; <mark class="claim" data-note="claim-x" id="hl">B <em>c</em></mark>'
            '<sup class="marker"><a href="#claim-x">1</a></sup> d</p>\n<p>E</p>\n')
    text = page_text(body)
    assert text.text == "A & B c1 d\nE\n"
    assert text.highlights["claim-x"].start == 4 and text.highlights["claim-x"].end == 7
    assert text.highlights["claim-x"].block == 1


def test_a_highlight_split_by_inline_markup_covers_all_its_pieces() -> None:
    body = ('<p>x</p>\n<p><mark data-note="n">a</mark><strong><mark data-note="n">b</mark></strong>'
            '<mark data-note="n">c</mark></p>\n')
    text = page_text(body)
    assert text.text[text.highlights["n"].start:text.highlights["n"].end] == "abc"
    assert text.highlights["n"].block == 2


def test_without_base_url_export_urls_are_relative_to_the_export_file(tmp_path: Path) -> None:
    from builder.build import build
    from conftest import article, make_site
    root = make_site(tmp_path / "site", {
        "content/articles/a.md": article(body="Soybeans were promised."),
        "content/articles/a.yaml": "claims:\n  - {id: beans, quote: Soybeans, status: false, sources: [trump]}\n",
        "content/articles/b.md": article(title="B", body="Nothing to see."),
        "content/articles/c.md": article(title="C", body="Oil was promised."),
        "content/articles/c.yaml": "claims:\n  - {id: oil, quote: Oil, status: false, sources: [trump]}\n",
    })
    out = tmp_path / "out"
    build(root, out, search=False)
    index = json.loads((out / "data" / "claims.json").read_text())
    assert index["digest"]["base_url"] is None
    assert [a["data"] for a in index["articles"]] == ["articles/a.json", "articles/b.json", "articles/c.json"]
    data = json.loads((out / "data" / "articles" / "a.json").read_text())
    assert data["claims"][0]["url"] == "../../articles/a/#claim-beans"
    assert data["article"]["data"] == "a.json"
    # The pages, one per article with annotations, link each other (b has none: it has no page).
    collection = json.loads((out / "data" / "annotations.jsonld").read_text())
    assert (collection["first"], collection["last"], collection["total"]) == ("annotations/a.jsonld", "annotations/c.jsonld", 2)
    pages = annotation_pages(out)
    assert [(p["id"], p.get("prev"), p.get("next")) for p in pages] == [
        ("a.jsonld", None, "c.jsonld"), ("c.jsonld", "a.jsonld", None)]
    assert not (out / "data" / "annotations" / "b.jsonld").exists()
    item = pages[0]["items"][0]
    assert item["id"].startswith("urn:uuid:")
    assert item["target"]["source"] == "../../articles/a/"
    # The suffix starts with the footnote marker's "1": it is part of the page's text, as a browser sees it.
    assert item["target"]["selector"][0] == {"type": "TextQuoteSelector", "exact": "Soybeans", "prefix": "",
                                             "suffix": "1 were promised.\n"}


def _reference_page_text(body: str) -> tuple[str, int, dict[str, tuple[int, int, int]]]:
    """page_text() done the slow, general way: BeautifulSoup's tree (html.parser), walked in document order."""
    soup = BeautifulSoup(body, "html.parser")
    blocks = [child for child in soup.children if getattr(child, "name", None)]
    text, ranges = "", {}
    for node in soup.descendants:
        if isinstance(node, str):
            text += node
        elif node.name == "mark" and node.get("data-note"):
            block = next(i for i, b in enumerate(blocks, start=1) if b is node or node in b.descendants)
            start, end = len(text), len(text) + len(node.get_text())
            first = ranges.setdefault(node["data-note"], (start, end, block))
            ranges[node["data-note"]] = (first[0], end, first[2])
    return text, len(blocks), ranges


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet="ab &<>\"'*_`[]()!\n#-|:.é", max_size=80), st.integers(0, 80), st.integers(1, 20))
def test_page_text_agrees_with_an_html_parser_on_rendered_markdown(markdown: str, start: int, length: int) -> None:
    parsed = markup.parse(markdown)
    start = min(start, len(parsed.text))
    end = min(start + length, len(parsed.text))
    highlights = [markup.Highlight(Span(start, end), "hl-n", "claim", "#n", "1", "Claim 1")] if start < end else []
    body = markup.render(parsed, highlights)
    text = page_text(body)
    assert (text.text, text.blocks, {k: (r.start, r.end, r.block) for k, r in text.highlights.items()}) == \
        _reference_page_text(body)
