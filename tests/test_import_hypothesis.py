"""`digest import hypothesis` on exports written as Hypothesis writes them (the client's export, the API's rows)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner, Result
from ruamel.yaml import YAML

from builder.annotate.hypothesis import entry_id
from builder.cli import main
from conftest import article, make_site

URI = "https://digest.example.org/articles/fares/"
BODY = """\
    The mayor said the fares stay flat. Later a second spokesperson said the fares stay flat for students.

    China”s ministry called the “budget balanced” on Tuesday.
    """


def annotation(annotation_id: str, exact: str | None, text: str = "", tags: tuple[str, ...] = (), prefix: str = "",
               suffix: str = "", uri: str = URI, **extra: object) -> dict:
    """One annotation as Hypothesis's API returns it (and its client exports it)."""
    selectors = [
        {"type": "RangeSelector", "endOffset": 40, "startOffset": 4, "endContainer": "/main[1]/article[1]/div[2]/div[1]/p[1]",
         "startContainer": "/main[1]/article[1]/div[2]/div[1]/p[1]"},
        {"type": "TextPositionSelector", "start": 4, "end": 40},
        {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix, "suffix": suffix},
    ] if exact is not None else []
    return {
        "id": annotation_id, "created": "2026-03-19T09:12:44.163542+00:00", "updated": "2026-03-19T09:12:44.163542+00:00",
        "user": "acct:editor@hypothes.is", "uri": uri, "text": text, "tags": list(tags), "group": "__world__",
        "permissions": {"read": ["group:__world__"], "admin": ["acct:editor@hypothes.is"],
                        "update": ["acct:editor@hypothes.is"], "delete": ["acct:editor@hypothes.is"]},
        "target": [{"source": uri, **({"selector": selectors} if selectors else {})}],
        "document": {"title": ["Fares"]},
        "links": {"html": f"https://hypothes.is/a/{annotation_id}", "incontext": f"https://hyp.is/{annotation_id}/{uri}",
                  "json": f"https://hypothes.is/api/annotations/{annotation_id}"},
        "user_info": {"display_name": "An Editor"}, "flagged": False, "hidden": False, **extra,
    }


def export(*annotations: dict) -> dict:
    """The Hypothesis client's export file."""
    return {"export_date": "2026-03-20T10:00:00.000Z", "export_userid": "acct:editor@hypothes.is",
            "client_version": "1.1552.0", "annotations": list(annotations)}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "site", {"content/articles/fares.md": article(body=BODY)})


def run_import(site: Path, data: object, *options: str) -> Result:
    path = site.parent / "export.json"
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    result = CliRunner().invoke(main, ["import", "hypothesis", str(path), "--root", str(site), *options])
    assert "Traceback" not in result.output
    return result


def entries(site: Path, section: str = "claims") -> dict[str, dict]:
    data = YAML(typ="safe").load((site / "content/articles/fares.yaml").read_text())
    return {e["id"]: e for e in data.get(section, [])}


def built_article(site: Path) -> BeautifulSoup:
    assert CliRunner().invoke(main, ["build", "--source", str(site), "--no-search"]).exit_code == 0
    return BeautifulSoup((site / "public/articles/fares/index.html").read_text(), "html.parser")


def test_straight_quotes_typed_against_curly_ones_anchor_and_keep_the_articles_text(site: Path) -> None:
    result = run_import(site, export(annotation("Q1aBcD-_xyz", 'China\'s ministry called the "budget balanced"',
                                                "The ministry says the budget balances.\n\nNo figures were published.",
                                                ("status:unconfirmed", "source:xinhua", "claimant:The ministry",
                                                 "topic:trade", "an editor's own tag"))))
    assert result.exit_code == 0, result.output
    claim = entries(site)[entry_id("Q1aBcD-_xyz")]
    assert claim == {"id": entry_id("Q1aBcD-_xyz"), "quote": "China”s ministry called the “budget balanced”",
                     "claim": "The ministry says the budget balances.", "claimant": "The ministry",
                     "status": "unconfirmed", "sources": ["xinhua"], "topics": ["trade"],
                     "note": "No figures were published."}
    assert built_article(site).find("mark", id=f"hl-claim-{claim['id']}") is not None


def test_an_ambiguous_quote_is_resolved_by_its_prefix_and_trimmed_to_what_disambiguates(site: Path) -> None:
    result = run_import(site, export(annotation("amb1", "the fares stay flat", "Students only.",
                                                ("status:unconfirmed", "source:analysts"),
                                                prefix="flat. Later a second spokesperson said ", suffix=" for students.")))
    assert result.exit_code == 0, result.output
    claim = entries(site)[entry_id("amb1")]
    assert (claim["quote"], claim.get("prefix"), claim.get("suffix")) == ("the fares stay flat", None, "for")
    mark = built_article(site).find("mark", id=f"hl-claim-{claim['id']}")
    before = []
    for piece in mark.find_parent("p").strings:
        if mark in piece.parents:
            break
        before.append(str(piece))
    assert "".join(before).endswith("Later a second spokesperson said ")


def test_an_orphaned_annotation_is_listed_with_the_closest_passage_and_exit_1(site: Path) -> None:
    data = export(annotation("good", "the fares stay flat for students", "", ("status:confirmed", "source:analysts")),
                  annotation("orphan", "the fares stay frozen for pensioners", "", ("status:confirmed", "source:analysts")))
    result = run_import(site, data)
    assert result.exit_code == 1
    line = json.dumps(data, indent=2).splitlines().index('      "id": "orphan",') + 1
    assert (f"export.json:{line}:7: error: annotation orphan: quote 'the fares stay frozen for pensioners' not found "
            "in the article text; the closest passage is 'the fares stay flat for students' on line 6") in result.stderr
    assert set(entries(site)) == {entry_id("good")}  # the rest is imported, and builds
    built_article(site)


def test_an_annotation_without_a_source_is_listed_unless_source_gives_one(site: Path) -> None:
    data = export(annotation("nosource", "budget balanced", "Balanced.", ("status:disputed",)))
    result = run_import(site, data)
    assert result.exit_code == 1
    assert "annotation nosource: no source: tag it source:<id>, or give one for all with --source" in result.stderr
    assert not (site / "content/articles/fares.yaml").exists()
    assert run_import(site, data, "--source", "xinhua").exit_code == 0
    assert entries(site)[entry_id("nosource")]["sources"] == ["xinhua"]


def test_unknown_status_source_or_topic_is_listed_with_a_suggestion(site: Path) -> None:
    result = run_import(site, export(
        annotation("s1", "budget balanced", "", ("status:confirmd", "source:xinhua")),
        annotation("s2", "budget balanced", "", ("status:confirmed", "source:xinhau")),
        annotation("s3", "budget balanced", "", ("status:confirmed", "source:xinhua", "topic:trad"))))
    assert result.exit_code == 1
    assert "annotation s1: unknown status 'confirmd' (did you mean 'confirmed'?) in its tag 'status:confirmd'" in result.stderr
    assert "annotation s2: unknown source 'xinhau' (did you mean 'xinhua'?)" in result.stderr
    assert "annotation s3: unknown topic 'trad' (did you mean 'trade'?)" in result.stderr
    assert not (site / "content/articles/fares.yaml").exists()


def test_importing_the_same_export_twice_adds_nothing(site: Path) -> None:
    data = export(annotation("once", "budget balanced", "Balanced.", ("status:disputed", "source:xinhua")),
                  annotation("caveat", "the fares stay flat for students", "Students were never charged.",
                             ("kind:context", "source:analysts")))
    assert run_import(site, data).exit_code == 0
    first = (site / "content/articles/fares.yaml").read_bytes()
    again = run_import(site, data)
    assert again.exit_code == 0 and "2 already imported (nothing added)" in again.output
    assert (site / "content/articles/fares.yaml").read_bytes() == first
    assert entries(site, "caveats")[entry_id("caveat")]["kind"] == "context"


def test_the_api_list_format_the_article_option_page_notes_and_replies(site: Path) -> None:
    rows = [annotation("elsewhere", "budget balanced", "On another page.", ("status:confirmed", "source:xinhua"),
                       uri="https://example.org/some/page.html"),
            annotation("page-note", None, "The whole article leaves out the cost.", ("kind:omission", "source:xinhua")),
            annotation("reply", None, "I agree.", (), references=["elsewhere"])]
    result = run_import(site, rows, "--article", "fares")
    assert result.exit_code == 0, result.output
    assert "1 reply to other annotations left out" in result.output
    assert set(entries(site)) == {entry_id("elsewhere")}
    assert "quote" not in entries(site, "caveats")[entry_id("page-note")]  # a caveat on the whole article
    built_article(site)

    without_article = run_import(site, [annotation("nowhere", "budget balanced", "", ("status:confirmed", "source:xinhua"),
                                                   uri="https://example.org/some/page.html")])
    assert without_article.exit_code == 1
    assert ("annotation nowhere: its uri 'https://example.org/some/page.html' does not end in /articles/<slug>/; "
            "choose the article with --article") in without_article.stderr


def test_a_file_that_is_not_an_export_is_a_located_error(site: Path) -> None:
    path = site.parent / "broken.json"
    path.write_text('{"annotations": [\n  {"id": "a",}\n]}\n')
    result = CliRunner().invoke(main, ["import", "hypothesis", str(path), "--root", str(site)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{path}:2:14: error: not valid JSON: Expecting property name enclosed in double quotes" in result.stderr
