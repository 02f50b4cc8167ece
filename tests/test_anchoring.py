"""Finding quotes in rendered text: folding, prefix/suffix, not-found and ambiguous quotes."""

import pytest

from builder.stages.anchoring import QuoteAmbiguous, QuoteNotFound, Selector, find_quote, fold
from builder.stages.markup import parse

SEED = "One significant outcome highlighted was China”s commitment to markedly increase its imports."


def found(text: str, quote: str, prefix: str = "", suffix: str = "") -> str:
    span = find_quote(fold(text), Selector(quote, prefix, suffix))
    return text[span.start:span.end]


@pytest.mark.parametrize("typed, expected", [
    ("China's commitment", "China”s commitment"),
    ("China’s commitment", "China”s commitment"),
    ('China"s commitment', "China”s commitment"),
    ("China”s   commitment", "China”s commitment"),
    ("  China's commitment \n", "China”s commitment"),
])
def test_typographic_variants_and_whitespace_fold(typed, expected):
    assert found(SEED, typed) == expected


@pytest.mark.parametrize("text, typed, expected", [
    ("the US–China relationship", "US-China relationship", "US–China relationship"),
    ("a pause — then more", "pause - then", "pause — then"),
    ("ends here… and on", "here...", "here…"),
    ("line one\nline  two", "one line two", "one\nline  two"),
])
def test_dashes_ellipses_and_line_breaks_fold(text, typed, expected):
    assert found(text, typed) == expected


def test_quote_spanning_bold_italic_and_link_is_found_in_rendered_text():
    parsed = parse("Trump **hailed this _agreement_** as [transformative](https://x.test) for farmers.")
    assert parsed.text == "Trump hailed this agreement as transformative for farmers."
    assert found(parsed.text, "this agreement as transformative for") == "this agreement as transformative for"


def test_markdown_syntax_is_not_part_of_the_text():
    parsed = parse("a **bold** word")
    with pytest.raises(QuoteNotFound):
        find_quote(fold(parsed.text), Selector("**bold**"))


def test_prefix_picks_one_of_two_occurrences():
    text = "Xinhua reported the call. Later, Trump reported the call."
    span = find_quote(fold(text), Selector("reported the call", prefix="Trump"))
    assert span.start == text.rindex("reported the call")


def test_suffix_picks_one_of_two_occurrences():
    text = "soybeans this season; soybeans next season"
    span = find_quote(fold(text), Selector("soybeans", suffix="next"))
    assert span.start == text.rindex("soybeans")


def test_ambiguous_quote_lists_every_occurrence():
    text = "the call. the call. the call."
    with pytest.raises(QuoteAmbiguous) as error:
        find_quote(fold(text), Selector("the call"))
    assert [s.start for s in error.value.occurrences] == [0, 10, 20]


def test_missing_quote_suggests_the_closest_passage():
    text = "China will raise imports of US soybeans from 12 million tons to 20 million tons."
    with pytest.raises(QuoteNotFound) as error:
        find_quote(fold(text), Selector("imports of American soybeans from 12 million"))
    closest = error.value.closest
    assert closest is not None
    assert text[closest.start:closest.end].startswith("imports of US soybeans from 12 million")


def test_missing_quote_with_nothing_alike_has_no_suggestion():
    with pytest.raises(QuoteNotFound) as error:
        find_quote(fold("An article about trade."), Selector("zebra crossing in Paris"))
    assert error.value.closest is None


def test_quote_cannot_cross_paragraphs():
    parsed = parse("First paragraph ends.\n\nSecond begins.")
    with pytest.raises(QuoteNotFound):
        find_quote(fold(parsed.text), Selector("ends. Second"))


def test_empty_quote_is_not_found():
    with pytest.raises(QuoteNotFound):
        find_quote(fold("text"), Selector("   "))
