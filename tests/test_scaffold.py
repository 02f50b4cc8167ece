"""`digest init` and `digest new`: files an author starts from, which build as they are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.build import build
from builder.cli import main
from builder.scaffold import article_slug
from conftest import tree


def run(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def page(out: Path, rel_path: str) -> BeautifulSoup:
    return BeautifulSoup((out / rel_path).read_text(encoding="utf-8"), "html.parser")


def test_init_creates_a_digest_that_builds(tmp_path: Path) -> None:
    site = tmp_path / "my-digest"
    result = run("init", str(site))
    assert result.exit_code == 0
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        ".gitignore", "content/articles/riverton-bus-fares.md", "content/articles/riverton-bus-fares.yaml",
        "content/claimants.yaml", "content/sources.yaml", "content/topics.yaml", "site/config.yaml"]
    summary = build(site, site / "public")
    assert (summary.articles, summary.claims, summary.caveats, summary.warnings) == (1, 3, 2, ())
    assert page(site / "public", "index.html").title.string.endswith("My Digest")


def test_init_title_option_is_quoted_into_the_config(tmp_path: Path) -> None:
    run("init", str(tmp_path / "d"), "--title", "Notes: #1 'digest'")
    build(tmp_path / "d", tmp_path / "d" / "public")
    assert page(tmp_path / "d" / "public", "index.html").find(class_="site-title").get_text() == "Notes: #1 'digest'"


def test_init_accepts_an_empty_folder(tmp_path: Path) -> None:
    assert run("init", str(tmp_path)).exit_code == 0


def test_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = run("init", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path} is not an empty folder: choose a new folder name, or empty it first\n"
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_theme_copy_builds_the_same_site(tmp_path: Path) -> None:
    run("init", str(tmp_path / "plain"), "--title", "Same")
    run("init", str(tmp_path / "copied"), "--title", "Same", "--theme-copy")
    assert (tmp_path / "copied/templates/base.html").is_file()
    assert (tmp_path / "copied/site/static/style.css").is_file()
    build(tmp_path / "plain", tmp_path / "plain-out")
    build(tmp_path / "copied", tmp_path / "copied-out")
    assert tree(tmp_path / "plain-out") == tree(tmp_path / "copied-out")


def test_site_templates_override_the_builtin_theme_file_by_file(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates/home.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="mine">My own home page</p>{% endblock %}')
    (tmp_path / "site/static/extra.css").write_text("p { color: red }")
    build(tmp_path, tmp_path / "public")
    home = page(tmp_path / "public", "index.html")
    assert home.find(id="mine").get_text() == "My own home page"
    assert home.find(class_="site-header") is not None  # base.html still the built-in one
    article = page(tmp_path / "public", "articles/riverton-bus-fares/index.html")
    assert article.find(id="mine") is None and article.find(id="hl-claim-vote") is not None
    assert (tmp_path / "public/static/extra.css").is_file() and (tmp_path / "public/static/style.css").is_file()


@pytest.mark.parametrize("title, slug", [
    ("Trump and Xi hold their first call", "trump-and-xi-hold-their-first-call"),
    ("Ça va? L'été à Zürich", "ca-va-lete-a-zurich"),
    ("Straße, Øresund & Łódź", "strasse-oresund-and-lodz"),
    ("  China’s  soybeans -- 2026!  ", "chinas-soybeans-2026"),
    ("习近平", ""),
    ("word " * 20, ("word-" * 12).rstrip("-")),
])
def test_slug_from_title(title: str, slug: str) -> None:
    assert article_slug(title) == slug


def test_new_article_builds_as_it_is_and_once_a_quote_is_filled_in(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    result = run("new", "Council opens a bus lane", "--source", str(tmp_path), "--date", "2026-03-01",
                 "--topics", "transport")
    assert result.exit_code == 0
    md = tmp_path / "content/articles/council-opens-a-bus-lane.md"
    annotations = tmp_path / "content/articles/council-opens-a-bus-lane.yaml"
    assert result.stdout == f"created {md}\ncreated {annotations}\n"
    assert build(tmp_path, tmp_path / "public").articles == 2

    text = annotations.read_text()
    claims_block = re.search(r"^# claims:\n(?:#.*\n)+", text, re.MULTILINE).group(0)
    uncommented = re.sub(r"^# ?", "", claims_block, flags=re.MULTILINE)
    annotations.write_text(text.replace(claims_block, uncommented.replace("WORDS FROM THE ARTICLE", "Write the article here")))
    summary = build(tmp_path, tmp_path / "public")
    assert summary.claims == 4
    article = page(tmp_path / "public", "articles/council-opens-a-bus-lane/index.html")
    assert article.find(id="hl-claim-first-claim").get_text() == "Write the article here"


def test_new_refuses_to_overwrite(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    run("new", "Twice", "--source", str(tmp_path))
    md = tmp_path / "content/articles/twice.md"
    md.write_text(md.read_text() + "\nMy words.\n")
    result = run("new", "Twice", "--source", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"error: {md} already exists: choose another title, or give a --slug\n"
    assert md.read_text().endswith("My words.\n")


def test_new_rejects_an_unknown_topic_with_a_suggestion(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    result = run("new", "Fares", "--source", str(tmp_path), "--topics", "transprt")
    assert result.exit_code == 2
    assert "unknown topic 'transprt' (did you mean 'transport'?)" in result.output
    assert not (tmp_path / "content/articles/fares.md").exists()


def test_new_outside_a_digest_says_so(tmp_path: Path) -> None:
    result = run("new", "Fares", "--source", str(tmp_path))
    assert result.exit_code == 1
    assert "has no site/config.yaml" in result.stderr


def test_new_title_without_latin_letters_needs_a_slug(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    assert "the title has no letters or digits" in run("new", "习近平", "--source", str(tmp_path)).output
    assert run("new", "习近平", "--slug", "xi-jinping", "--source", str(tmp_path)).exit_code == 0
    build(tmp_path, tmp_path / "public")
    assert page(tmp_path / "public", "articles/xi-jinping/index.html").h1.get_text() == "习近平"


def test_the_new_articles_template_shows_how_to_give_a_verdict_history(tmp_path: Path) -> None:
    run("init", str(tmp_path))
    run("new", "Council opens a bus lane", "--source", str(tmp_path), "--date", "2026-03-01")
    annotations = tmp_path / "content/articles/council-opens-a-bus-lane.yaml"
    text = annotations.read_text()
    claims_block = re.search(r"^# claims:\n(?:#.*\n)+", text, re.MULTILINE).group(0)
    uncommented = re.sub(r"^# ?", "", claims_block, flags=re.MULTILINE)
    # ... and the optional lines of the verdict history, commented once more inside the block
    uncommented = re.sub(r"^    # (updated|history|  - \{date)", r"    \1", uncommented, flags=re.MULTILINE)
    assert "    updated: 2026-03-20" in uncommented and "      - {date: 2026-03-02, status: unconfirmed" in uncommented
    annotations.write_text(text.replace(claims_block, uncommented.replace("WORDS FROM THE ARTICLE", "Write the article here")))
    build(tmp_path, tmp_path / "public")
    note = page(tmp_path / "public", "articles/council-opens-a-bus-lane/index.html").find(id="claim-first-claim")
    assert [t["datetime"] for t in note.select(".verdict-history time")] == ["2026-03-02", "2026-03-20"]
