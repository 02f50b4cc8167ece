"""Claimants: one page per claimant, names gathered by content/claimants.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.build import build
from builder.stages.diagnostics import ContentErrors
from builder.build import load_digest
from conftest import load_content, article, make_site
from site_links import soup_of


def claims(*claimants: str) -> str:
    body = "".join(f"""\
  - id: c{number}
    quote: word{number}
    claimant: "{name}"
    status: unconfirmed
    sources: [trump]
""" for number, name in enumerate(claimants))
    return "claims:\n" + body


def body(count: int) -> str:
    return " ".join(f"word{n}" for n in range(count))


def digest_of(root: Path, drafts: bool = False):  # type: ignore[no-untyped-def]
    return load_digest(root, include_drafts=drafts)


def test_each_distinct_name_gets_a_page_with_a_slug_made_like_an_articles(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/articles/a.md": article(body=body(3)),
                                "content/articles/a.yaml": claims("Donald Trump", "Zürich’s Council", "Donald  Trump")})
    directory = digest_of(root).claimants
    assert [(c.slug, c.name, c.registered) for c in directory.claimants] == [
        ("donald-trump", "Donald Trump", False), ("zurichs-council", "Zürich’s Council", False)]
    assert directory.names["Donald  Trump"] == directory.names["Donald Trump"]  # runs of spaces do not count


def test_a_registered_claimant_gathers_its_id_name_and_aliases_whatever_their_case(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        "content/claimants.yaml": "trump:\n  name: Donald Trump\n  aliases: [President Trump]\n",
        "content/articles/a.md": article(body=body(4)),
        "content/articles/a.yaml": claims("Donald Trump", "president trump", "trump", "DONALD  TRUMP"),
    })
    directory = digest_of(root).claimants
    assert [(c.slug, c.name, c.registered) for c in directory.claimants] == [("trump", "Donald Trump", True)]
    assert {name: c.slug for name, c in directory.names.items()} == {
        "Donald Trump": "trump", "president trump": "trump", "trump": "trump", "DONALD  TRUMP": "trump"}
    build(root, tmp_path / "out", search=False)
    rows = soup_of(tmp_path / "out/claimants/index.html").select("tbody tr")
    assert [(r.th.get_text(), r.td.get_text()) for r in rows] == [("Donald Trump", "4")]


def test_only_published_claims_give_a_page_but_every_name_is_checked(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        "content/articles/a.md": article(body=body(1)),
        "content/articles/a.yaml": claims("Donald Trump"),
        "content/articles/draft.md": article(title="Draft", body=body(2), extra="draft: true\n"),
        "content/articles/draft.yaml": claims("Someone Unannounced", "donald trump"),
    })
    with pytest.raises(ContentErrors) as errors:  # a draft's names still must not clash
        digest_of(root)
    assert "would share the page claimants/donald-trump/" in str(errors.value)
    (root / "content/articles/draft.yaml").write_text(claims("Someone Unannounced"), encoding="utf-8")
    assert [c.slug for c in digest_of(root).claimants.claimants] == ["donald-trump"]
    assert [c.slug for c in digest_of(root, drafts=True).claimants.claimants] == ["donald-trump", "someone-unannounced"]


def test_a_registered_claimant_nobody_names_has_a_page_and_a_warning(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        "content/claimants.yaml": "xi-jinping:\n  name: 习近平\n",
        "content/articles/a.md": article(body=body(1), extra="topics: [trade, agriculture]\n"),
        "content/articles/a.yaml": claims("Donald Trump").replace("[trump]", "[trump, xinhua, analysts]"),
    })
    summary = build(root, tmp_path / "out", search=False)
    assert [str(d) for d in summary.warnings] == [
        "content/claimants.yaml:1:1: warning: claimant 'xi-jinping' is never named in a claim"]
    assert soup_of(tmp_path / "out/claimants/xi-jinping/index.html").h1.get_text() == "习近平"


def test_claimants_yaml_must_map_ids_to_claimants(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/claimants.yaml": "- Donald Trump\n", "content/articles/a.md": article()})
    with pytest.raises(ContentErrors) as errors:
        load_content(root)
    assert [str(d) for d in errors.value.diagnostics] == [
        "content/claimants.yaml:1:1: error: content/claimants.yaml must map ids to claimant fields, not a list"]
