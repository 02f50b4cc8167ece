"""Links in content: id links resolved from any page, relative links checked (warnings, errors with --strict)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.build import build
from builder.cli import main
from builder.stages.crossrefs import ArticleTargets, id_link_site_path, parse_id_link, resolve_links, site_path_within
from builder.stages.diagnostics import ContentErrors
from builder.stages.render import relative_url
from conftest import article, make_site, tree
from site_links import broken_links, soup_of

BEANS = """\
claims:
  - id: beans
    quote: soybeans
    claimant: Donald Trump
    status: unconfirmed
    sources: [trump]
caveats:
  - id: silent
    kind: omission
    text: Xinhua says nothing of it ([see the claim](#claim-beans), [the other article](../other/)).
    claims: [beans]
    sources: [xinhua]
    noted_by: [analysts]
"""


def site_with(tmp_path: Path, body: str, extra_files: dict[str, str] | None = None) -> Path:
    return make_site(tmp_path / "site", {
        "content/articles/call.md": article(body="Trump said China would buy soybeans.",
                                            extra="topics: [trade, agriculture]\n"),
        "content/articles/call.yaml": BEANS,
        "content/articles/other.md": article(title="Other", date="2026-02-05", body=body),
        **(extra_files or {}),
    })


def check(root: Path, *options: str):  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(main, ["check", "--source", str(root), *options])
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize("href, parsed", [
    ("@/", ("index", "", "")),
    ("@/updates/", ("index", "updates/", "")),
    ("@/articles/call.md", ("article", "call", "")),
    ("@/articles/call", ("article", "call", "")),
    ("@/articles/call/#beans", ("article", "call", "beans")),
    ("@/sources/xinhua", ("source", "xinhua", "")),
    ("@/claimants/jos%C3%A9", ("claimant", "josé", "")),
    ("@/articles/", None),
    ("@/articles/a/b.md", None),
    ("@/pages/x", None),
    ("https://example.org/", None),
])
def test_id_links_are_parsed_into_kind_target_and_fragment(href: str, parsed) -> None:  # type: ignore[no-untyped-def]
    assert parse_id_link(href) == parsed


def test_a_fragment_names_a_claim_or_a_caveat_by_its_id_or_its_note() -> None:
    targets = {"call": ArticleTargets("call", ("beans",), ("silent",))}
    assert id_link_site_path("@/articles/call.md#beans", targets) == "articles/call/#claim-beans"
    assert id_link_site_path("@/articles/call.md#silent", targets) == "articles/call/#caveat-silent"
    assert id_link_site_path("@/articles/call.md#claim-beans", targets) == "articles/call/#claim-beans"
    assert id_link_site_path("@/statuses/false", targets) == "statuses/false/"


@pytest.mark.parametrize("page, expected", [
    ("articles/call/index.html", 'a <a href="./#claim-beans">b</a> <a href="../other/">c</a> <a href="#x">d</a>'),
    ("sources/xinhua/index.html", 'a <a href="../../articles/call/#claim-beans">b</a> <a href="../../articles/other/">c</a> '
                                  '<a href="../../articles/call/#x">d</a>'),
    ("updates/index.html", 'a <a href="../articles/call/#claim-beans">b</a> <a href="../articles/other/">c</a> '
                           '<a href="../articles/call/#x">d</a>'),
])
def test_a_note_is_written_for_the_page_that_shows_it(page: str, expected: str) -> None:
    html = 'a <a href="@/articles/call.md#beans">b</a> <a href="../other/">c</a> <a href="#x">d</a>'
    targets = {"call": ArticleTargets("call", ("beans",), ())}
    assert str(resolve_links(html, "call", page, lambda target: relative_url(page, target), targets)) == expected


def test_an_images_relative_source_is_rebased_too() -> None:
    html = '<img src="../../static/chart.png" alt="c"> <img src="chart.png" alt="d">'
    assert str(resolve_links(html, "call", "updates/index.html", lambda t: relative_url("updates/index.html", t), {})) == \
        '<img src="../static/chart.png" alt="c"> <img src="../articles/call/chart.png" alt="d">'


def test_external_and_escaping_links_are_left_as_they_are() -> None:
    html = '<a href="https://example.org/x">a</a> <a href="mailto:a@b.c">b</a> <a href="../../../elsewhere/">c</a>'
    assert str(resolve_links(html, "call", "topics/t/index.html", lambda t: relative_url("topics/t/index.html", t), {})) == html


@pytest.mark.parametrize("path, base, expected", [
    ("../other/", "articles/call/", "articles/other/"),
    ("../../sources/x/", "articles/call/", "sources/x/"),
    ("", "articles/call/", "articles/call/"),
    ("../../feed.xml", "articles/call/", "feed.xml"),
    ("../../", "articles/call/", ""),
    ("../../../x/", "articles/call/", None),
])
def test_relative_paths_resolve_within_the_site(path: str, base: str, expected: str | None) -> None:
    assert site_path_within(path, base) == expected


def test_an_id_link_works_from_a_sub_path_on_every_page(tmp_path: Path) -> None:
    root = site_with(tmp_path, "See [the beans](@/articles/call.md#beans), [Trump](@/claimants/donald-trump) "
                               "and [all updates](@/updates/).")
    build(root, tmp_path / "out", search=False)
    text = soup_of(tmp_path / "out/articles/other/index.html").select("#article-text a")
    assert [a["href"] for a in text] == ["../call/#claim-beans", "../../claimants/donald-trump/", "../../updates/"]
    assert broken_links(tmp_path / "out") == []
    caveat_on_source_page = soup_of(tmp_path / "out/sources/xinhua/index.html").select(".caveat-text a")
    assert [a["href"] for a in caveat_on_source_page] == ["../../articles/call/#claim-beans", "../../articles/other/"]


def test_a_relative_link_to_no_page_is_a_warning_and_an_error_with_strict(tmp_path: Path) -> None:
    root = site_with(tmp_path, "A [renamed article](../no-such-article/) and [a fine one](../call/).")
    result = check(root)
    assert result.exit_code == 0
    assert result.stderr == ("content/articles/other.md:6:21: warning: relative link '../no-such-article/' leads to no "
                             "page of the site\n0 errors, 1 warning\n")
    assert check(root, "--strict").exit_code == 1
    out = tmp_path / "public"
    with pytest.raises(ContentErrors) as errors:
        build(root, out, strict=True, search=False)
    assert [d.severity for d in errors.value.diagnostics] == ["warning"]
    assert not out.exists()


def test_a_relative_link_suggests_the_page_it_may_have_meant(tmp_path: Path) -> None:
    root = site_with(tmp_path, "The [call](../cal/).")
    assert "relative link '../cal/' leads to no page of the site (did you mean '../call/'?)" in check(root).stderr


def test_a_relative_link_to_a_missing_element_of_an_article_is_a_warning_with_a_suggestion(tmp_path: Path) -> None:
    root = site_with(tmp_path, "The [beans](../call/#beans) and [the note](../call/#claim-beans).")
    assert check(root).stderr == (
        "content/articles/other.md:6:13: warning: relative link '../call/#beans' leads to no element of the page "
        "articles/call/ (did you mean '#claim-beans'?)\n0 errors, 1 warning\n")


def test_links_to_feeds_exports_and_assets_are_not_reported(tmp_path: Path) -> None:
    root = site_with(tmp_path, "[Feed](../../feed.xml), [data](../../data/claims.json), [style](../../static/x.css), "
                               "[home](../../), [a topic](../../topics/trade/).")
    assert check(root).stderr == "0 errors, 0 warnings\n"


def test_a_link_to_a_draft_warns_that_it_is_published_only_with_drafts(tmp_path: Path) -> None:
    root = site_with(tmp_path, "See [the draft](@/articles/draft.md).",
                     {"content/articles/draft.md": article(title="Draft", extra="draft: true\n")})
    out = tmp_path / "out"
    summary = build(root, out, search=False)
    assert [str(d) for d in summary.warnings] == [
        "content/articles/other.md:6:17: warning: link to the draft article 'draft', which is published only with --drafts"]
    assert check(root).stderr == "0 errors, 0 warnings\n"  # check includes drafts


def test_a_claim_renamed_under_an_id_link_fails_the_build_at_the_link(tmp_path: Path) -> None:
    root = site_with(tmp_path, "See [the beans](@/articles/call.md#beans).")
    out = tmp_path / "out"
    build(root, out, search=False)
    before = tree(out)
    (root / "content/articles/call.yaml").write_text(BEANS.replace("id: beans", "id: soybeans").replace(
        "claims: [beans]", "claims: [soybeans]").replace("#claim-beans", "#claim-soybeans"), encoding="utf-8")
    with pytest.raises(ContentErrors) as errors:
        build(root, out, search=False)
    assert [str(d) for d in errors.value.diagnostics] == [
        "content/articles/other.md:6:17: error: 'beans' in link '@/articles/call.md#beans' is not a claim or caveat "
        "of article 'call' (did you mean 'soybeans'?)"]
    assert tree(out) == before


def test_an_id_link_in_a_note_is_located_at_the_note(tmp_path: Path) -> None:
    root = site_with(tmp_path, "Text.", {"content/articles/call.yaml": BEANS.replace(
        "(#claim-beans)", "(@/articles/nope.md)")})
    assert check(root).stderr == (
        "content/articles/call.yaml:10:11: error: unknown article 'nope' in link '@/articles/nope.md' (an article's id "
        "is its file name, content/articles/<slug>.md)\n1 error, 0 warnings\n")


def test_absolute_paths_are_checked_under_the_base_urls_path(tmp_path: Path) -> None:
    root = site_with(tmp_path, "[Gone](/digest/articles/gone/), [elsewhere](/other-site/).",
                     {"site/config.yaml": "title: T\nbase_url: https://example.org/digest/\n"})
    assert check(root).stderr == ("content/articles/other.md:6:8: warning: relative link '/digest/articles/gone/' "
                                  "leads to no page of the site\n0 errors, 1 warning\n")


def test_an_image_cannot_take_an_id_link(tmp_path: Path) -> None:
    root = site_with(tmp_path, "A chart: ![the chart](@/sources/xinhua).")
    assert check(root).stderr == (
        "content/articles/other.md:6:23: error: an image's source cannot be an id link ('@/sources/xinhua'): id links "
        "are for links to pages\n1 error, 0 warnings\n")
