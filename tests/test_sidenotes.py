"""Margin notes: grouped by the paragraph their highlight is in, with the grid rows the theme uses."""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup

from builder.build import build
from conftest import article, make_site

BODY = """\
First paragraph, no notes.

Second paragraph with soybeans and oil.

- a list item about gas

Fourth paragraph about Taiwan.
"""
ANNOTATIONS = """\
claims:
  - {id: beans, quote: soybeans, status: unconfirmed, sources: [trump]}
  - {id: taiwan, quote: Taiwan, status: confirmed, sources: [xinhua]}
caveats:
  - {id: oil, kind: context, text: Oil is context., quote: oil}
  - {id: gas, kind: omission, text: Gas is omitted., quote: gas, sources: [xinhua]}
  - {id: whole, kind: context, text: About the whole article.}
"""


def built_article(tmp_path: Path) -> BeautifulSoup:
    root = make_site(tmp_path / "site", {"content/articles/a.md": article(body=BODY), "content/articles/a.yaml": ANNOTATIONS})
    build(root, tmp_path / "out", search=False)
    return BeautifulSoup((tmp_path / "out" / "articles" / "a" / "index.html").read_text(), "html.parser")


def test_notes_sit_beside_their_block_and_just_after_it_on_narrow_screens(tmp_path: Path) -> None:
    soup = built_article(tmp_path)
    groups = [(g["style"], [n["id"] for n in g.select(".note")]) for g in soup.select(".sidenotes")]
    assert groups == [
        ("--wide-row: 2 / span 1; --narrow-row: 3", ["claim-beans", "caveat-oil"]),  # block 2; row 2 + 1 group
        ("--wide-row: 3 / span 1; --narrow-row: 5", ["caveat-gas"]),                   # the list is block 3
        ("--wide-row: 4 / span 1; --narrow-row: 7", ["claim-taiwan"]),
    ]


def test_notes_may_run_down_beside_the_blocks_that_have_none(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {
        "content/articles/a.md": article(body="Soybeans here.\n\nNothing.\n\nNothing again.\n\nTaiwan.\n\nEnd.\n"),
        "content/articles/a.yaml": "claims:\n  - {id: b, quote: Soybeans, status: false, sources: [trump]}\n"
                                   "  - {id: t, quote: Taiwan, status: false, sources: [trump]}\n",
    })
    build(root, tmp_path / "out", search=False)
    soup = BeautifulSoup((tmp_path / "out" / "articles" / "a" / "index.html").read_text(), "html.parser")
    assert [g["style"] for g in soup.select(".sidenotes")] == [
        "--wide-row: 1 / span 3; --narrow-row: 2", "--wide-row: 4 / span 2; --narrow-row: 6"]


def test_unanchored_caveats_are_listed_after_the_text(tmp_path: Path) -> None:
    soup = built_article(tmp_path)
    assert [n["id"] for n in soup.select(".other-caveats .note")] == ["caveat-whole"]


def test_article_text_element_holds_only_the_article(tmp_path: Path) -> None:
    soup = built_article(tmp_path)
    text = soup.find(id="article-text")
    assert [child.name for child in text.find_all(recursive=False)] == ["p", "p", "ul", "p"]
    assert not text.select(".note")


def test_every_note_can_take_focus_and_has_a_heading_for_search(tmp_path: Path) -> None:
    soup = built_article(tmp_path)
    for note in soup.select(".note"):
        assert note["tabindex"] == "-1"
        assert note.select_one("h2.note-title")["id"] == note["id"] + "-title"
