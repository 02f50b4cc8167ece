"""Reading content: encodings, line endings, front matter lines, YAML safety."""

from __future__ import annotations

import pytest

from builder.build import load_digest
from builder.stages.diagnostics import ContentErrors
from conftest import load_content, article, make_site

ANNOTATIONS = """\
claims:
  - id: soy
    quote: China's commitment
    status: unconfirmed
    sources: [trump]
"""


def test_utf8_bom_and_crlf_line_endings_are_accepted(tmp_path):
    body = article(body="One outcome was China”s commitment to buy.\n", extra="topics: [trade]\n")
    make_site(tmp_path, {"content/articles/a.md": "", "content/articles/a.yaml": ""})
    (tmp_path / "content/articles/a.md").write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode())
    (tmp_path / "content/articles/a.yaml").write_bytes(b"\xef\xbb\xbf" + ANNOTATIONS.replace("\n", "\r\n").encode())
    digest = load_digest(tmp_path)
    assert digest.articles[0].article.title == "A call"
    body = digest.articles[0].body_html
    assert "China”s commitment" in body
    assert "\r" not in body


def test_error_lines_count_from_the_top_of_the_file_including_front_matter(tmp_path):
    body = "First paragraph.\n\nSecond paragraph has the quote twice: quote, quote.\n"
    make_site(tmp_path, {
        "content/articles/a.md": article(body=body, extra="summary: s\n"),
        "content/articles/a.yaml": "claims:\n  - id: q\n    quote: quote\n    status: confirmed\n    sources: [trump]\n",
    })
    with pytest.raises(ContentErrors) as error:
        load_digest(tmp_path)
    (diagnostic,) = error.value.diagnostics
    # front matter is lines 1-5, a blank line, then the paragraphs: the second is line 9
    assert diagnostic.message == (
        "quote 'quote' occurs 3 times (line 9 after 'paragraph has the'; line 9 after 'the quote twice:'; "
        "line 9 after 'quote twice: quote,'); add a 'prefix' (text just before it) or a 'suffix' to choose one")
    assert str(diagnostic.at) == "content/articles/a.yaml:3:12"


def test_every_problem_in_every_file_is_reported_in_one_run(tmp_path):
    make_site(tmp_path, {
        "content/articles/a.md": article(extra="topics: [nope]\n"),
        "content/articles/b.md": "---\ntitle: B\n---\nNo date.\n",
        "content/articles/c.yaml": "claims: []\n",
    })
    with pytest.raises(ContentErrors) as error:
        load_digest(tmp_path)
    # shape errors stop before cross-references are checked: the unknown topic waits for the next run
    assert [str(d) for d in error.value.diagnostics] == [
        "content/articles/b.md:2:1: error: front matter is missing required key 'date'",
        "content/articles/c.yaml:1:1: error: annotation file without an article: expected content/articles/c.md",
    ]


def test_yaml_keys_stay_text_even_when_yaml_1_1_would_read_them_as_booleans(tmp_path):
    make_site(tmp_path, {
        "content/sources.yaml": "no:\n  name: Norway's broadcaster\n  kind: broadcaster\n",
        "content/articles/a.md": article(body="Oslo said so.\n", extra="source: no\n"),
    })
    digest = load_digest(tmp_path)
    assert list(digest.registry.sources) == ["no"]


def test_python_tags_are_refused_not_executed(tmp_path):
    make_site(tmp_path, {
        "content/articles/a.md": article(),
        "content/articles/a.yaml": "claims: !!python/object/apply:os.system ['touch pwned']\n",
    })
    with pytest.raises(ContentErrors) as error:
        load_digest(tmp_path)
    assert "unsupported YAML tag" in error.value.diagnostics[0].message
    assert not (tmp_path / "pwned").exists()


def test_recursive_alias_is_an_error_not_a_hang(tmp_path):
    make_site(tmp_path, {"content/articles/a.md": article(), "content/articles/a.yaml": "claims: &a [*a]\n"})
    with pytest.raises(ContentErrors) as error:
        load_digest(tmp_path)
    assert "nested more than" in error.value.diagnostics[0].message


def test_unused_sources_and_empty_topics_are_warnings(tmp_path):
    make_site(tmp_path, {"content/articles/a.md": article(extra="topics: [trade]\nsource: trump\n")})
    digest = load_digest(tmp_path)
    assert [str(d) for d in digest.warnings] == [
        "content/sources.yaml:1:1: warning: source 'xinhua' is never cited",
        "content/sources.yaml:8:1: warning: source 'analysts' is never cited",
        "content/topics.yaml:3:1: warning: topic 'agriculture' has no articles or claims",
    ]


def test_custom_status_scale_replaces_the_default(tmp_path):
    make_site(tmp_path, {
        "site/config.yaml": "title: T\nstatuses:\n  - {id: true, label: True}\n  - {id: pants-on-fire, label: Pants on fire}\n",
        "content/articles/a.md": article(body="He said it.\n"),
        "content/articles/a.yaml": "claims:\n  - {id: c, quote: said it, status: pants-on-fire, sources: [trump]}\n",
    })
    digest = load_digest(tmp_path)
    assert digest.articles[0].claims[0].status.label == "Pants on fire"
    assert [s.id for s in digest.registry.config.statuses] == ["true", "pants-on-fire"]
    assert [s.id for s in digest.config.statuses] == ["true", "pants-on-fire"]


# --- The fact-checker's additions, in their good forms -------------------------------------------

DESK_ANNOTATIONS = """\
claims:
  - id: soy
    quote: China's commitment
    claimant: Donald Trump
    status: false
    updated: 2026-03-20
    history:
      - {date: 2026-02-04, status: unconfirmed}
      - date: 2026-03-10
        status: disputed
        note: The **ministry** denied it.
    sources:
      - trump
      - id: xinhua
        url: https://english.news.cn/readout
        title: Readout
        archive_url: http://archive.example/readout
        archive_date: 2026-02-05
        accessed: 2026-02-05
caveats:
  - id: fixed
    kind: correction
    date: 2026-02-06
    text: An earlier version misquoted the ministry.
    sources:
      - {id: analysts, title: A note sent to the desk}
"""


def test_verdict_history_citations_and_dates_are_read_with_their_types(tmp_path):
    import datetime

    make_site(tmp_path, {"content/articles/a.md": article(body="One outcome was China”s commitment to buy."),
                         "content/articles/a.yaml": DESK_ANNOTATIONS})
    claim = load_content(tmp_path).articles[0].claims[0]
    assert claim.updated == datetime.date(2026, 3, 20)
    assert [(step.date, step.status.id, step.note) for step in claim.history] == [
        (datetime.date(2026, 2, 4), "unconfirmed", ""), (datetime.date(2026, 3, 10), "disputed", "The **ministry** denied it.")]
    assert claim.source_ids == ("trump", "xinhua")
    (citation,) = claim.citations
    assert (citation.source.id, citation.url, citation.title, citation.archive_url, citation.archive_date,
            citation.accessed) == ("xinhua", "https://english.news.cn/readout", "Readout", "http://archive.example/readout",
                                   datetime.date(2026, 2, 5), datetime.date(2026, 2, 5))
    assert str(citation.source.at) == "content/articles/a.yaml:14:13"
    digest = load_digest(tmp_path)
    anchored = digest.articles[0].claims[0]
    assert [(v.date.isoformat(), v.status.label) for v in anchored.verdicts] == [
        ("2026-02-04", "Unconfirmed"), ("2026-03-10", "Disputed"), ("2026-03-20", "False")]
    assert anchored.history[1].note_html == "<p>The <strong>ministry</strong> denied it.</p>\n"
    caveat = digest.articles[0].caveats[0].caveat
    assert (caveat.date, caveat.source_ids, caveat.citations[0].title) == (
        datetime.date(2026, 2, 6), ("analysts",), "A note sent to the desk")


def test_a_claim_without_updated_was_given_its_verdict_with_the_article(tmp_path):
    make_site(tmp_path, {"content/articles/a.md": article(body="One outcome was China”s commitment to buy."),
                         "content/articles/a.yaml": ANNOTATIONS})
    claim = load_digest(tmp_path).articles[0].claims[0]
    assert (claim.claim.updated, claim.updated.isoformat(), claim.history) == (None, "2026-02-04", ())


def test_source_kinds_in_the_config_replace_the_built_in_list(tmp_path):
    make_site(tmp_path, {
        "site/config.yaml": "title: T\nsource_kinds: [government, court, statistics-office]\n",
        "content/sources.yaml": "census:\n  name: Census bureau\n  kind: statistics-office\n",
        "content/articles/a.md": article(body="Text."),
        "content/articles/a.yaml": "sources:\n  - {id: judge, name: The court, kind: court}\n",
    })
    digest = load_digest(tmp_path)
    assert digest.config.source_kinds == ("government", "court", "statistics-office")
    assert [(s.id, s.kind) for s in digest.sources] == [("census", "statistics-office"), ("judge", "court")]


def test_claimants_yaml_is_read_with_its_aliases(tmp_path):
    make_site(tmp_path, {
        "content/claimants.yaml": "trump:\n  name: Donald Trump\n  url: https://www.whitehouse.gov/\n"
                                  "  aliases: [Trump, President Trump]\n",
        "content/articles/a.md": article()})
    (entry,) = load_content(tmp_path).claimants
    assert (entry.id, entry.name, entry.url, entry.aliases) == (
        "trump", "Donald Trump", "https://www.whitehouse.gov/", ("Trump", "President Trump"))
    assert [str(at) for at in entry.alias_at] == ["content/claimants.yaml:4:13", "content/claimants.yaml:4:20"]


def test_every_existing_digest_reads_as_before_when_it_uses_none_of_the_additions(tmp_path):
    make_site(tmp_path, {"content/articles/a.md": article(body="One outcome was China”s commitment to buy."),
                         "content/articles/a.yaml": ANNOTATIONS})
    content = load_content(tmp_path)
    claim = content.articles[0].claims[0]
    assert (claim.history, claim.citations, claim.updated, content.claimants) == ((), (), None, ())
