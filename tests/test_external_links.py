"""stages/links.py: which external links a digest cites, and where each is written; and how dead ones read."""

from __future__ import annotations

from pathlib import Path

from builder.linkcheck import ALIVE, DEAD, RATE_LIMITED, LinkVerdict, dead_link_warnings
from builder.stages.content import article_slugs, load_registries, parse_article, read_article_files, read_text
from builder.stages.diagnostics import Location
from builder.stages.links import ARCHIVE, CITATION, MARKDOWN_LINK, SOURCE_URL, ExternalLink, external_links
from conftest import make_site

ARTICLE = "content/articles/a.md"
ANNOTATIONS = "content/articles/a.yaml"


def loaded(root: Path) -> tuple[tuple, list]:
    """The site's registered sources and its articles, as read."""
    slugs, _ = article_slugs(root)
    articles = [parse_article(read_article_files(root, slug, has))[0] for slug, has in slugs.items()]
    return load_registries(root).sources, [a for a in articles if a is not None]


def links_of(root: Path, with_texts: bool = True) -> list[tuple[str, int, int, str, str]]:
    texts = {ANNOTATIONS: read_text(root, ANNOTATIONS)} if with_texts and (root / ANNOTATIONS).exists() else {}
    return [(link.at.path, link.at.line, link.at.column, link.kind, link.url) for link in external_links(*loaded(root), texts)]


def site_with_body(root: Path, body: str) -> Path:
    return make_site(root, {ARTICLE: "---\ntitle: A\ndate: 2026-02-04\n---\n\n" + body,
                            "content/sources.yaml": "", "content/topics.yaml": ""})


def test_body_links_are_placed_at_their_line_and_the_column_of_their_url(tmp_path):
    site = site_with_body(tmp_path, (
        "Two on a line: [a](https://a.example/) and [b](https://b.example/x#part), then\n"   # line 6
        "an autolink <https://c.example/> and ![a picture](https://img.example/p.png).\n"   # line 7
        "\n"
        "- a list item with [d](https://d.example/)\n"                                        # line 9
        "\n"
        "> quoted [e](<https://e.example/>)\n"                                              # line 11
        "\n"
        "| column |\n"
        "|---|\n"
        "| [f](https://f.example/) |\n"                                                       # line 15
    ))
    assert links_of(site) == [
        (ARTICLE, 6, 20, MARKDOWN_LINK, "https://a.example/"),
        (ARTICLE, 6, 48, MARKDOWN_LINK, "https://b.example/x#part"),
        (ARTICLE, 7, 14, MARKDOWN_LINK, "https://c.example/"),
        (ARTICLE, 7, 51, MARKDOWN_LINK, "https://img.example/p.png"),
        (ARTICLE, 9, 24, MARKDOWN_LINK, "https://d.example/"),
        (ARTICLE, 11, 15, MARKDOWN_LINK, "https://e.example/"),
        (ARTICLE, 15, 7, MARKDOWN_LINK, "https://f.example/"),
    ]


def test_lines_stay_exact_after_a_code_span_that_crosses_a_line(tmp_path):
    # markdown-it turns the line break inside `...` into a space: counting breaks alone would be one short
    site = site_with_body(tmp_path, "Some `code\nspan` then [a](https://a.example/) and\n[the report][r].\n\n"
                                    "[r]: https://r.example/\n")
    assert links_of(site) == [(ARTICLE, 7, 16, MARKDOWN_LINK, "https://a.example/"),
                              (ARTICLE, 8, 1, MARKDOWN_LINK, "https://r.example/")]


def test_a_reference_link_is_placed_where_it_is_used_each_time(tmp_path):
    site = site_with_body(tmp_path, "See [the report][r].\n\nAgain, [the same report][r].\n\n[r]: https://r.example/\n")
    assert links_of(site) == [(ARTICLE, 6, 5, MARKDOWN_LINK, "https://r.example/"),
                              (ARTICLE, 8, 8, MARKDOWN_LINK, "https://r.example/")]


def test_a_url_written_with_accents_is_found_as_written(tmp_path):
    site = site_with_body(tmp_path, "Read [this](https://q.example/café) now.\n")
    assert links_of(site) == [(ARTICLE, 6, 13, MARKDOWN_LINK, "https://q.example/caf%C3%A9")]


def test_relative_mailto_and_fragment_links_are_not_external(tmp_path):
    site = site_with_body(tmp_path, "[up](../other/), [note](#claim-a), [mail](mailto:desk@example.org), "
                                    "[ftp](ftp://files.example/) and [site](/about/).\n")
    assert links_of(site) == []


def test_source_urls_are_placed_at_their_value(tmp_path):
    site = make_site(tmp_path, {
        "content/sources.yaml": ("wire:\n  name: The Wire\n  url: https://wire.example/\n"
                                 "desk:\n  name: The Desk\n  url: mailto:desk@example.org\n"
                                 "plain:\n  name: No URL\n"),
        "content/topics.yaml": "",
        ARTICLE: "---\ntitle: A\ndate: 2026-02-04\n---\n\nText.\n",
        ANNOTATIONS: "sources:\n  - id: local\n    name: Local Paper\n    url:   https://local.example/\n",
    })
    links = external_links(*loaded(site))
    assert [(link.at, link.kind, link.source_id, link.url) for link in links] == [
        (Location(ANNOTATIONS, 4, 12), SOURCE_URL, "local", "https://local.example/"),
        (Location("content/sources.yaml", 3, 8), SOURCE_URL, "wire", "https://wire.example/"),
    ]


NOTES = """\
claims:
  - id: a
    quote: Text
    status: confirmed
    sources: [wire]
    note: >-
      The board's [tariffs](https://t.example/2026) and the
      [old ones](https://t.example/2025).
  - note: "One [quoted](https://q.example/)."
    id: b
    quote: more
    status: confirmed
    sources: [wire]
caveats:
  - id: c
    kind: context
    text: See https://t.example/2024 and [the 2024 tariffs](https://t.example/2024).
  - id: d
    kind: context
    text: |
      Also [the list][l].

      [l]: https://l.example/
"""


def site_with_notes(root: Path) -> Path:
    return make_site(root, {"content/sources.yaml": "wire:\n  name: The Wire\n", "content/topics.yaml": "",
                            ARTICLE: "---\ntitle: A\ndate: 2026-02-04\n---\n\nText and more.\n",
                            ANNOTATIONS: NOTES})


def test_links_in_notes_and_caveats_are_placed_where_they_are_written_in_the_yaml(tmp_path):
    assert links_of(site_with_notes(tmp_path)) == [
        (ANNOTATIONS, 7, 29, MARKDOWN_LINK, "https://t.example/2026"),  # in a folded note: its own line
        (ANNOTATIONS, 8, 18, MARKDOWN_LINK, "https://t.example/2025"),
        (ANNOTATIONS, 9, 25, MARKDOWN_LINK, "https://q.example/"),
        (ANNOTATIONS, 17, 61, MARKDOWN_LINK, "https://t.example/2024"),  # the link, not the bare URL before it
        (ANNOTATIONS, 20, 11, MARKDOWN_LINK, "https://l.example/"),  # a reference: at the text's start
    ]


def test_without_the_file_text_links_in_notes_are_placed_at_the_note(tmp_path):
    assert [(line, column) for _path, line, column, _kind, _url in links_of(site_with_notes(tmp_path), with_texts=False)] \
        == [(6, 11), (6, 11), (9, 11), (17, 11), (20, 11)]


def test_citations_are_checked_with_the_rest_in_order_of_location(tmp_path):
    site = site_with_body(tmp_path, "[a](https://a.example/)\n")
    cited = ExternalLink("https://doc.example/", Location(ANNOTATIONS, 9, 14), CITATION, "wire",
                         "https://archive.example/doc")
    archived = ExternalLink("https://archive.example/doc", Location(ANNOTATIONS, 11, 22), ARCHIVE, "wire",
                            original_url="https://doc.example/")
    not_http = ExternalLink("mailto:desk@example.org", Location(ANNOTATIONS, 12, 14), CITATION, "wire")
    links = external_links(*loaded(site), citations=[archived, not_http, cited])
    assert [link.url for link in links] == ["https://a.example/", "https://doc.example/", "https://archive.example/doc"]


def verdict(url: str, outcome: str = DEAD, problem: str = "HTTP 404 Not Found") -> LinkVerdict:
    return LinkVerdict(url, outcome, problem if outcome != ALIVE else "", 0.0)


def test_a_dead_citation_says_whether_readers_still_have_its_archived_copy():
    at = Location(ANNOTATIONS, 9, 14)
    with_archive = ExternalLink("https://doc.example/a", at, CITATION, "board", "https://archive.example/a")
    archive_dead_too = ExternalLink("https://doc.example/b", at._replace(line=20), CITATION, "board",
                                    "https://archive.example/b")
    without = ExternalLink("https://doc.example/c", at._replace(line=30), CITATION, "board")
    the_archive = ExternalLink("https://archive.example/b", at._replace(line=22), ARCHIVE, "board",
                               original_url="https://doc.example/b")
    source = ExternalLink("https://board.example/", Location("content/sources.yaml", 3, 8), SOURCE_URL, "board")
    verdicts = {v.url: v for v in [verdict("https://doc.example/a"), verdict("https://doc.example/b"),
                                   verdict("https://doc.example/c", problem="connection refused"),
                                   verdict("https://archive.example/a", ALIVE),
                                   verdict("https://archive.example/b", problem="HTTP 410 Gone"),
                                   verdict("https://board.example/", problem="HTTP 500 Internal Server Error")]}
    messages = [str(d) for d in dead_link_warnings([with_archive, archive_dead_too, without, the_archive, source], verdicts)]
    assert messages == [
        f"{ANNOTATIONS}:9:14: warning: cited document https://doc.example/a is dead: HTTP 404 Not Found; "
        "an archived copy is linked",
        f"{ANNOTATIONS}:20:14: warning: cited document https://doc.example/b is dead: HTTP 404 Not Found; "
        "its archived copy is dead too",
        f"{ANNOTATIONS}:22:14: warning: archived copy https://archive.example/b is dead: HTTP 410 Gone; "
        "it is the archived copy of https://doc.example/b",
        f"{ANNOTATIONS}:30:14: warning: cited document https://doc.example/c is dead: connection refused; "
        "no archived copy is linked",
        "content/sources.yaml:3:8: warning: URL https://board.example/ of source 'board' is dead: "
        "HTTP 500 Internal Server Error; no archived copy of it is linked, but 2 citations of 'board' "
        "link an archived copy of the document cited",
    ]


def test_live_and_rate_limited_links_are_not_reported():
    at = Location(ARTICLE, 6, 1)
    links = [ExternalLink("https://up.example/", at, MARKDOWN_LINK), ExternalLink("https://busy.example/", at, MARKDOWN_LINK)]
    verdicts = {"https://up.example/": verdict("https://up.example/", ALIVE),
                "https://busy.example/": verdict("https://busy.example/", RATE_LIMITED, "HTTP 429 Too Many Requests")}
    assert dead_link_warnings(links, verdicts) == ()
