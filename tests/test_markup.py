"""Highlights woven into rendered Markdown: valid nesting across tags and overlaps."""

from bs4 import BeautifulSoup

from builder.stages.anchoring import Selector, find_quote, fold
from builder.stages.markup import Highlight, parse, render


def highlight(parsed, quote, name, marker="1"):
    span = find_quote(fold(parsed.text), Selector(quote))
    return Highlight(span, f"hl-{name}", "claim", f"#note-{name}", marker, f"Claim {marker}")


def marked_text(html: str, name: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    return "".join(m.get_text() for m in soup.select(f'mark[data-note="note-{name}"]'))


def test_highlight_crossing_bold_and_link_is_split_into_valid_pieces():
    parsed = parse("Trump **hailed this** agreement as [transformative](https://x.test) for farmers.")
    html = render(parsed, [highlight(parsed, "this agreement as transformative", "a")])
    soup = BeautifulSoup(html, "html.parser")
    marks = soup.select('mark[data-note="note-a"]')
    assert [m.parent.name for m in marks] == ["strong", "p", "a"]
    assert marked_text(html, "a") == "this agreement as transformative"
    assert len(soup.select("#hl-a")) == 1 and soup.select("mark")[0]["id"] == "hl-a"


def test_footnote_marker_never_nests_inside_a_link():
    parsed = parse("See [the readout of the call](https://x.test) today.")
    html = render(parsed, [highlight(parsed, "readout of", "a")])
    marker = BeautifulSoup(html, "html.parser").select_one("sup.marker a")
    assert marker["href"] == "#note-a"
    assert marker.find_parent("a") is None
    assert html.index("</a><sup") > 0


def test_footnote_marker_follows_the_quote_directly():
    parsed = parse("The call was long. It was detailed.")
    html = render(parsed, [highlight(parsed, "was long", "a")])
    assert '>was long</mark><sup class="marker">' in html


def test_overlapping_highlights_nest_and_keep_each_text():
    parsed = parse("China will buy 20 million tons of US soybeans this season.")
    html = render(parsed, [highlight(parsed, "20 million tons of US soybeans", "a"),
                           highlight(parsed, "US soybeans this season", "b", "2")])
    assert marked_text(html, "a") == "20 million tons of US soybeans"
    assert marked_text(html, "b") == "US soybeans this season"
    soup = BeautifulSoup(html, "html.parser")
    inner = soup.select_one('mark[data-note="note-a"] > mark[data-note="note-b"]')
    assert inner is not None and inner.get_text() == "US soybeans"


def test_highlight_inside_inline_code_keeps_code_element():
    parsed = parse("Run `digest build now` please.")
    html = render(parsed, [highlight(parsed, "build", "a")])
    assert "<code>digest <mark" in html and "now</code><sup" in html


def test_text_is_escaped_inside_highlights():
    parsed = parse("Beware 1 < 2 & <script>alert(1)</script> here.")
    html = render(parsed, [highlight(parsed, "<script>alert(1)</script>", "a")])
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_raw_html_in_markdown_is_shown_as_text():
    html = render(parse('<img src=x onerror="alert(1)">\n\nText <b onclick="x()">bold</b>'))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("img") is None and soup.find("b") is None
