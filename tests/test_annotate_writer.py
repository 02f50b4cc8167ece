"""The annotation writer: comments, order and layout kept; every write checked by the build's own code."""

from __future__ import annotations

import datetime
import difflib
import threading
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builder.annotate.document import AnnotationDocument, NewCaveat, NewClaim, VerdictChange
from builder.annotate.selectors import ArticleText, Unplaceable, place_quote
from builder.annotate.writer import WriteRefused, edit_annotations
from builder.build import check
from builder.cli import main
from builder.stages.anchoring import Selector
from builder.stages.shapes import ID_PATTERN
from conftest import article, make_site

SLUG = "riverton-bus-fares"
ANNOTATIONS = f"content/articles/{SLUG}.yaml"


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    return root


def only_insertions(before: str, after: str) -> list[str]:
    """The lines added; fails if any line of `before` was changed, moved or removed."""
    added = []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        assert not line.startswith("- "), f"line changed or removed: {line!r}"
        if line.startswith("+ "):
            added.append(line[2:])
    return added


def add(root: Path, claim: NewClaim) -> str:
    return edit_annotations(root, SLUG, lambda document, _article: document.add_claim(claim)).result


def test_adding_a_claim_keeps_every_comment_blank_line_and_key_in_place(starter: Path) -> None:
    before = (starter / ANNOTATIONS).read_text()
    new_id = add(starter, NewClaim(Selector("how the freeze will be paid for"), "unconfirmed", ("riverton-council",),
                                   claim="The council has not said: who pays?", topics=("local-budget",)))
    after = (starter / ANNOTATIONS).read_text()
    entry = (f"  - id: {new_id}\n    quote: how the freeze will be paid for\n"
             "    claim: 'The council has not said: who pays?'\n    status: unconfirmed\n"
             "    sources: [riverton-council]\n    topics: [local-budget]\n")
    assert sorted(only_insertions(before, after)) == sorted(["", *entry.splitlines()])
    # After the last claim, a blank line before it as between the others, and claims still before caveats.
    assert "    sources: [transit-riders]\n\n" + entry + "\ncaveats:\n" in after
    assert check(starter) is not None  # the whole digest still checks


def test_an_unchanged_document_is_written_back_byte_for_byte(starter: Path) -> None:
    text = (starter / ANNOTATIONS).read_text()
    assert AnnotationDocument(text, ANNOTATIONS).text() == text


def test_a_missing_annotation_file_is_created(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/articles/a.md": article(body="Xinhua reported the call.")})
    result = edit_annotations(root, "a", lambda d, a: d.add_claim(NewClaim(Selector("reported the call"), "confirmed", ("xinhua",))))
    assert result.changed and (root / "content/articles/a.yaml").read_text() == (
        "claims:\n  - id: reported-the-call\n    quote: reported the call\n    status: confirmed\n    sources: [xinhua]\n")
    assert check(root) is not None


def test_the_commented_template_of_digest_new_is_kept_above_the_first_entry(starter: Path) -> None:
    assert CliRunner().invoke(main, ["new", "Trams return", "--source", str(starter)]).exit_code == 0
    md = starter / "content/articles/trams-return.md"
    md.write_text(md.read_text() + "\nThe trams return in May.\n")
    template = (starter / "content/articles/trams-return.yaml").read_text()
    edit_annotations(starter, "trams-return", lambda d, a: d.add_caveat(NewCaveat("context", "Only on line 2.")))
    after = (starter / "content/articles/trams-return.yaml").read_text()
    assert after.startswith(template.rstrip("\n") + "\n\n")
    assert after.endswith("caveats:\n  - id: only-on-line-2\n    kind: context\n    text: Only on line 2.\n")
    assert check(starter) is not None


def test_an_empty_flow_list_becomes_a_block_list(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/articles/a.md": article(body="Xinhua reported the call."),
                                "content/articles/a.yaml": "# mine\nclaims: []   # none yet\n"})
    edit_annotations(root, "a", lambda d, a: d.add_claim(NewClaim(Selector("the call"), "confirmed", ("xinhua",), id="call")))
    text = (root / "content/articles/a.yaml").read_text()
    assert text.startswith("# mine\nclaims:")
    assert "  - id: call\n    quote: the call\n" in text


def test_a_multi_line_note_is_written_as_a_literal_block(starter: Path) -> None:
    add(starter, NewClaim(Selector("voted"), "confirmed", ("riverton-council",), id="voted",
                          note="First line.\n\nSecond: with a colon."))
    assert "    note: |\n      First line.\n\n      Second: with a colon.\n" in (starter / ANNOTATIONS).read_text()


def test_generated_ids_are_valid_unique_and_stable(starter: Path) -> None:
    document = AnnotationDocument((starter / ANNOTATIONS).read_text(), ANNOTATIONS)
    assert document.new_id("Vote", "claim") == "vote-2"  # 'vote' is taken
    assert document.new_id("L'été à Zürich: 120 dollars!", "claim") == "lete-a-zurich-120-dollars"
    assert document.new_id("北京", "claim") == "claim"
    first = document.add_claim(NewClaim(Selector("x"), "confirmed", ("a",), claim="Same words here"))
    second = document.add_claim(NewClaim(Selector("x"), "confirmed", ("a",), claim="Same words here"))
    assert (first, second) == ("same-words-here", "same-words-here-2")
    assert all(ID_PATTERN.match(i) for i in document.ids())


def test_a_refused_write_names_the_problem_with_its_line_and_changes_nothing(starter: Path) -> None:
    before = (starter / ANNOTATIONS).read_bytes()
    with pytest.raises(WriteRefused) as refused:
        add(starter, NewClaim(Selector("voted"), "confirmd", ("riverton-gazete",), id="voted"))
    claim = new_claim_line(before.decode())  # the lines of the refused claim, as it would have been written
    assert [str(d) for d in refused.value.diagnostics] == [
        f"{ANNOTATIONS}:{claim + 2}:13: error: unknown status 'confirmd' (did you mean 'confirmed'?)",
        f"{ANNOTATIONS}:{claim + 3}:15: error: unknown source 'riverton-gazete' (did you mean 'riverton-gazette'?)"]
    assert (starter / ANNOTATIONS).read_bytes() == before
    assert [p.name for p in (starter / "content/articles").iterdir() if p.name.endswith(".tmp")] == []


def new_claim_line(text: str) -> int:
    """The line a new claim's `- id:` goes on: where `caveats:` is now (it moves down, past the claim)."""
    return text.splitlines().index("caveats:") + 1


def test_a_quote_that_does_not_anchor_is_refused_by_the_builds_anchoring(starter: Path) -> None:
    claim = new_claim_line((starter / ANNOTATIONS).read_text())
    with pytest.raises(WriteRefused) as refused:
        add(starter, NewClaim(Selector("freeze tram fares"), "confirmed", ("riverton-council",), id="trams"))
    assert [str(d) for d in refused.value.diagnostics] == [
        f"{ANNOTATIONS}:{claim + 1}:12: error: quote 'freeze tram fares' not found in the article text; "
        "the closest passage is 'freeze bus fares' on line 11"]


def test_an_existing_file_with_a_syntax_error_is_refused_with_its_location(starter: Path) -> None:
    path = starter / ANNOTATIONS
    path.write_text(path.read_text().replace("  - id: savings", "  - id: savings\n   bad: [", 1))
    before = path.read_bytes()
    with pytest.raises(WriteRefused) as refused:
        add(starter, NewClaim(Selector("voted"), "confirmed", ("riverton-council",), id="voted"))
    assert str(refused.value).startswith(f"{ANNOTATIONS}:")
    assert path.read_bytes() == before


def test_two_writes_at_once_are_serialised_and_both_kept(starter: Path) -> None:
    errors: list[BaseException] = []

    def write(claim_id: str) -> None:
        try:
            add(starter, NewClaim(Selector("voted"), "confirmed", ("riverton-council",), id=claim_id, claim=claim_id))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    # The same quote twice would be ambiguous only if it occurred twice; a quote may carry many claims.
    threads = [threading.Thread(target=write, args=(f"parallel-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    text = (starter / ANNOTATIONS).read_text()
    assert all(f"- id: parallel-{n}\n" in text for n in range(4))
    assert check(starter) is not None


def test_a_verdict_change_records_the_previous_verdict_with_its_date(starter: Path) -> None:
    document = AnnotationDocument((starter / ANNOTATIONS).read_text(), ANNOTATIONS)
    article_date = datetime.date(2026, 1, 15)
    assert document.change_verdict(VerdictChange("vote", "disputed", datetime.date(2026, 2, 1)), article_date)
    assert document.change_verdict(VerdictChange("vote", "false", datetime.date(2026, 3, 10)), article_date)
    assert document.change_verdict(VerdictChange("vote", "disputed", datetime.date(2026, 3, 10)), article_date)  # same day
    assert not document.change_verdict(VerdictChange("vote", "disputed", datetime.date(2026, 3, 11)), article_date)
    assert ("    claimant: Riverton City Council\n"
            "    status: disputed\n"
            "    updated: 2026-03-10\n"
            "    history:\n"
            "      - date: 2026-01-15\n"
            "        status: confirmed\n"
            "      - date: 2026-02-01\n"
            "        status: disputed\n"
            "    sources: [riverton-council, riverton-gazette]\n") in document.text()


def test_a_verdict_change_with_a_reason_moves_the_old_note_into_the_history(starter: Path) -> None:
    document = AnnotationDocument((starter / ANNOTATIONS).read_text(), ANNOTATIONS)
    change = VerdictChange("savings", "false", datetime.date(2026, 3, 1), note="The fare table shows 60 dollars.")
    assert document.change_verdict(change, datetime.date(2026, 1, 15))
    savings = next(c for c in yaml.safe_load(document.text())["claims"] if c["id"] == "savings")
    assert (savings["status"], savings["updated"], savings["note"]) == (
        "false", datetime.date(2026, 3, 1), "The fare table shows 60 dollars.")
    assert savings["history"][-1] == {"date": datetime.date(2026, 1, 22), "status": "disputed",
                                      "note": "The transit company's fare table puts a monthly pass at 62 dollars: "
                                              "with a pass, the freeze saves about 60 dollars a year. The 120 "
                                              "dollars hold for riders who buy single tickets."}
    edit_annotations(starter, SLUG, lambda d, a: d.change_verdict(change, a.date))
    assert check(starter) is not None  # the build takes the result


def test_a_status_written_as_a_yaml_boolean_is_read_as_written(tmp_path: Path) -> None:
    document = AnnotationDocument("claims:\n  - id: a\n    quote: x\n    status: false\n    sources: [s]\n", "a.yaml")
    assert not document.change_verdict(VerdictChange("a", "false", datetime.date(2026, 1, 2)), datetime.date(2026, 1, 1))


# Selectors: the quote as the reader sees it, and the shortest context that makes it unique.

TEXT = article(body="""\
    The mayor said **the fares stay flat**. Later a second spokesperson said the fares stay flat for students.

    A [report](https://example.org/) says the “budget is balanced”.
    """)


@pytest.fixture
def text(tmp_path: Path) -> ArticleText:
    from builder.annotate.writer import current_article
    root = make_site(tmp_path, {"content/articles/a.md": TEXT})
    return ArticleText.of(current_article(root, "a"))


@pytest.mark.parametrize("exact, prefix, suffix, expected", [
    ("the fares stay flat", "The mayor said ", ". Later", Selector("the fares stay flat", suffix=".")),
    ("the fares stay flat", "second spokesperson said ", " for students", Selector("the fares stay flat", suffix="for")),
    ("budget is balanced", "", "", Selector("budget is balanced")),
    ('report says the "budget', "", "", Selector("report says the “budget")),  # the article's own characters
])
def test_a_selector_holds_the_quote_and_the_shortest_context_that_picks_it(text: ArticleText, exact: str, prefix: str,
                                                                          suffix: str, expected: Selector) -> None:
    assert place_quote(text, exact, prefix, suffix) == expected


def test_a_quote_with_no_telling_context_is_refused_with_its_lines(text: ArticleText) -> None:
    with pytest.raises(Unplaceable) as unplaceable:
        place_quote(text, "the fares stay flat")
    assert unplaceable.value.message == ("quote 'the fares stay flat' occurs 2 times (lines 6, 6) and the text around "
                                         "it does not say which is meant")


def test_a_quote_across_two_paragraphs_is_refused_with_the_closest_passage(text: ArticleText) -> None:
    with pytest.raises(Unplaceable) as unplaceable:
        place_quote(text, "for students.\n\nA report")
    assert unplaceable.value.message.startswith("quote 'for students. A report' not found in the article text "
                                                "(a quote cannot span two paragraphs)")
