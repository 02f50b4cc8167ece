"""Incremental builds: after any edits, the output is byte for byte what a clean build gives."""

from __future__ import annotations

import json
import os
import pickle
import re
import sqlite3
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from builder.build import CACHE_DIR, build
from builder.engine.session import STORE_FILE
from builder.stages.diagnostics import ContentErrors
from builder.stages import search
from builder.stages.pages import PAGE_TEMPLATES

from conftest import make_site, stamps, tree

SOURCES = {
    "xinhua": "Xinhua News Agency",
    "trump": "Donald Trump on Truth Social",
    "analysts": "Analysts",
}
TOPICS = {"trade": "Trade", "agriculture": "Agriculture"}


def article_text(slug: str, title: str, body: str, topics: str = "[trade]", summary: str = "About soybeans.") -> str:
    return f"---\ntitle: {title}\ndate: 2026-02-0{len(slug) % 9 + 1}\ntopics: {topics}\nsummary: {summary}\nsource: xinhua\n---\n\n{body}\n"


BODY = ("Trump said **China's commitment to buy soybeans** was _firm_, and [Xinhua](https://example.org/) "
        "reported the call.\n\nAnalysts noted that Xinhua's report did not mention the purchases.\n")
ANNOTATIONS = """\
claims:
  - id: soybeans
    quote: commitment to buy soybeans was firm
    claim: China committed to buy soybeans.
    claimant: Donald Trump
    status: unconfirmed
    sources: [trump]
    topics: [agriculture]
caveats:
  - id: omitted
    kind: omission
    text: Xinhua's readout does not mention soybeans.
    claims: [soybeans]
    sources: [xinhua]
    noted_by: [analysts]
    quote: did not mention the purchases
"""


def registry(entries: dict[str, str], field: str) -> str:
    return "".join(f"{key}:\n  {field}: {value}\n" for key, value in sorted(entries.items()))


def base_files() -> dict[str, str]:
    files = {
        "content/sources.yaml": registry(SOURCES, "name"),
        "content/topics.yaml": registry(TOPICS, "title"),
    }
    for number in range(3):
        slug = f"call-{number}"
        files[f"content/articles/{slug}.md"] = article_text(slug, f"Call {number}", BODY)
        files[f"content/articles/{slug}.yaml"] = ANNOTATIONS
    return files


def outcome(root: Path, out: Path, **options) -> tuple[str, object]:
    """('ok', output files) or ('errors', diagnostics) of a build."""
    try:
        build(root, out, jobs=1, **options)
    except ContentErrors as errors:
        return "errors", errors.diagnostics
    return "ok", tree(out)


# Each edit is (kind, number): the number picks a variant, so that hypothesis can shrink it.
EDITS = st.lists(st.tuples(st.sampled_from([
    "article-text", "article-title", "article-topics", "add-article", "delete-article", "claim-text",
    "claim-source", "delete-annotations", "source-name", "add-source", "delete-source", "topic-title",
    "delete-topic", "template", "delete-template", "config", "static", "draft", "article-date",
    # the fact-checker's desk: verdicts over time, cited documents, claimants, corrections, id links
    "claim-history", "claim-updated", "citation", "claimants-yaml", "claimant-name", "caveat-date",
    "correction", "id-link", "id-link-in-note", "claim-id", "claim-status",
    # the output: index pages of one or two items (pagination), and a build without search in between
    "page-size", "no-search",
]), st.integers(0, 3)), min_size=1, max_size=6)


def apply_edit(root: Path, kind: str, number: int) -> None:
    articles = sorted((root / "content" / "articles").glob("*.md"))
    slug = articles[number % len(articles)].stem if articles else "call-0"
    md = root / "content" / "articles" / f"{slug}.md"
    yaml = root / "content" / "articles" / f"{slug}.yaml"

    def edit(path: Path, old: str, new: str) -> None:
        if path.exists():
            path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    if kind == "article-text":
        edit(md, "reported the call.", f"reported the call, edit {number}.")
    elif kind == "article-title":
        edit(md, "title: ", f"title: Re{number} ")
    elif kind == "article-topics":
        edit(md, "topics: [trade]", "topics: [trade, agriculture]")
    elif kind == "add-article":
        new_slug = f"new-{number}-{len(articles)}"
        (root / "content" / "articles" / f"{new_slug}.md").write_text(
            article_text(new_slug, f"New {number}", BODY, summary=f"New {number}."), encoding="utf-8")
        (root / "content" / "articles" / f"{new_slug}.yaml").write_text(ANNOTATIONS, encoding="utf-8")
    elif kind == "delete-article" and articles:
        md.unlink()
        yaml.unlink(missing_ok=True)
    elif kind == "claim-text":
        edit(yaml, "claim: China committed", f"claim: China ({number}) committed")
    elif kind == "claim-source":
        edit(yaml, "sources: [trump]", "sources: [trump, analysts]")
    elif kind == "delete-annotations":
        yaml.unlink(missing_ok=True)
    elif kind == "source-name":
        edit(root / "content" / "sources.yaml", "name: Analysts", f"name: Analysts {number}")
    elif kind == "add-source":
        with open(root / "content" / "sources.yaml", "a", encoding="utf-8") as stream:
            stream.write(f"extra-{number}-{len(articles)}:\n  name: Extra {number}\n")
    elif kind == "delete-source":
        path = root / "content" / "sources.yaml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("analysts:\n", "analysts-gone:\n", 1), encoding="utf-8")
    elif kind == "topic-title":
        edit(root / "content" / "topics.yaml", "title: Trade", f"title: Trade {number}")
    elif kind == "delete-topic":
        edit(root / "content" / "topics.yaml", "agriculture:\n", "farming:\n")
    elif kind == "template":
        path = root / "templates" / "base.html"
        path.parent.mkdir(exist_ok=True)
        theme = (Path(__file__).resolve().parent.parent / "templates" / "base.html").read_text(encoding="utf-8")
        path.write_text(theme.replace("</footer>", f"<p>variant {number}</p></footer>"), encoding="utf-8")
    elif kind == "delete-template":
        (root / "templates" / "base.html").unlink(missing_ok=True)
    elif kind == "config":  # with a base_url half the time: the sitemap comes and goes
        base_url = f"base_url: https://example.org/d{number}/\n" if number % 2 else ""
        (root / "site" / "config.yaml").write_text(f"title: Digest {number}\ndescription: Variant {number}.\n{base_url}",
                                                    encoding="utf-8")
    elif kind == "static":
        path = root / "site" / "static" / f"extra-{number}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"static {number}\n", encoding="utf-8")
    elif kind == "article-date":  # reorders indexes and feeds, changes the sitemap's lastmod
        if md.exists():
            text = md.read_text(encoding="utf-8")
            md.write_text(re.sub(r"date: \S+", f"date: 2025-0{number % 9 + 1}-1{number % 10}", text, count=1),
                          encoding="utf-8")
    elif kind == "draft":
        edit(md, "source: xinhua\n", "source: xinhua\ndraft: true\n")
    elif kind == "page-size":  # pages count from the oldest: page 1 holds up to twice as many
        config = root / "site" / "config.yaml"
        text = config.read_text(encoding="utf-8").split("page_size:")[0]
        config.write_text(f"{text}page_size:\n  articles: {1 + number % 2}\n  claims: {1 + number // 2}\n",
                          encoding="utf-8")
    elif kind == "no-search":
        pass  # no edit: the build is made without search (the next one with it again)
    else:
        apply_desk_edit(root, kind, number, slug, md, yaml, edit)


def apply_desk_edit(root: Path, kind: str, number: int, slug: str, md: Path, yaml: Path, edit) -> None:  # type: ignore[no-untyped-def]
    """Edits of what issue 12 added to the format: each may make the site fail to build, which is fine."""
    other = f"call-{(int(slug.rsplit('-', 1)[-1]) + 1) % 3 if slug.startswith('call-') else number % 3}"
    if kind == "claim-history":  # a verdict given later, after an earlier one
        edit(yaml, "    status: unconfirmed\n", f"    status: unconfirmed\n    updated: 2026-03-0{number + 1}\n"
                                              f"    history:\n      - date: 2026-02-2{number}\n        status: disputed\n"
                                              f"        note: Variant {number}.\n")
    elif kind == "claim-updated":
        if yaml.exists() and "updated: " in yaml.read_text(encoding="utf-8"):
            text = yaml.read_text(encoding="utf-8")
            yaml.write_text(re.sub(r"updated: \S+", f"updated: 2026-03-1{number}", text, count=1), encoding="utf-8")
        else:
            edit(yaml, "    status: unconfirmed\n", f"    status: unconfirmed\n    updated: 2026-03-1{number}\n")
    elif kind == "citation":  # a source id becomes one cited document, with an archived copy
        edit(yaml, "    sources: [trump]\n", f"    sources:\n      - id: trump\n        url: https://truth.example/{number}\n"
                                            f"        title: Post {number}\n"
                                            f"        archive_url: https://web.archive.org/web/2026/https://truth.example/{number}\n")
    elif kind == "claimants-yaml":
        path = root / "content" / "claimants.yaml"
        if number == 0:
            path.unlink(missing_ok=True)
        else:
            aliases = ["President Trump"] if number % 2 else ["President Trump", "Trump"]
            path.write_text(f"trump:\n  name: Donald Trump\n  description: Variant {number}.\n  aliases: {aliases}\n",
                            encoding="utf-8")
    elif kind == "claimant-name":
        edit(yaml, "claimant: Donald Trump", ["claimant: President Trump", "claimant: Trump", "claimant: trump",
                                              "claimant: Xi Jinping"][number])
    elif kind == "caveat-date":
        edit(yaml, "    kind: omission\n", f"    kind: omission\n    date: 2026-03-0{number + 1}\n")
    elif kind == "correction":
        edit(yaml, "    kind: omission\n", "    kind: correction\n")
    elif kind == "claim-status":  # a verdict edited in place
        edit(yaml, "    status: unconfirmed\n", f"    status: {['disputed', 'confirmed', 'false', 'unconfirmed'][number]}\n")
    elif kind == "id-link":  # an article's text links a claim of another article by its id
        target = ["soybeans", "omitted", "claim-soybeans", "beans"][number]
        edit(md, "reported the call.", f"reported [the call](@/articles/{other}.md#{target}).")
    elif kind == "id-link-in-note":
        edit(yaml, "    text: Xinhua's readout does not mention soybeans.\n",
             f"    text: Xinhua's readout does not mention [soybeans](@/articles/{other}.md#soybeans) "
             f"([source](@/sources/{['trump', 'analysts', 'xinhua', 'nobody'][number]})).\n")
    elif kind == "claim-id":  # renames the claim (and what in its own file names it)
        if yaml.exists():
            yaml.write_text(yaml.read_text(encoding="utf-8").replace("id: soybeans", "id: soy")
                            .replace("claims: [soybeans]", "claims: [soy]"), encoding="utf-8")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(EDITS)
@example([("add-article", 0), ("add-article", 0)])  # two articles with the same files: keyed by slug too
@example([("id-link", 0), ("claim-id", 1), ("claim-id", 0)])  # a linked claim renamed, then its link
def test_incremental_output_equals_a_clean_build_after_any_edits(edits: list[tuple[str, int]]) -> None:
    # One article a search shard: adding and removing articles changes the number of shards.
    with tempfile.TemporaryDirectory() as temporary, mock.patch.object(search, "ARTICLES_PER_SHARD", 1):
        root = make_site(Path(temporary) / "site", base_files())
        out, reference = root / "public", Path(temporary) / "reference"
        assert outcome(root, out)[0] == "ok"
        for kind, number in edits:
            before = tree(out)
            apply_edit(root, kind, number)
            options = {"search": kind != "no-search"}
            incremental = outcome(root, out, **options)
            clean = outcome(root, reference, use_cache=False, **options)
            assert incremental == clean, f"after {kind} {number}"
            if incremental[0] == "errors":
                assert tree(out) == before  # a failed build leaves the output as it was


def test_editing_an_article_rewrites_only_the_pages_that_show_what_changed(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    build(root, tmp_path / "public", jobs=1)
    before = stamps(tmp_path / "public")
    apply_edit(root, "article-text", 1)
    summary = build(root, tmp_path / "public", jobs=1)
    after = stamps(tmp_path / "public")
    changed = sorted(path for path in after if after[path] != before.get(path))
    # Of the pages, only the article's own; beyond pages, what carries the article's text:
    # the feeds, the exports and the search index.
    assert [path for path in changed if path.endswith(".html")] == ["articles/call-1/index.html"]
    assert {path.split("/")[0] for path in changed if not path.endswith(".html")} <= {
        "feed.xml", "topics", "data", "pagefind"}
    assert all(path.endswith("feed.xml") for path in changed if path.startswith("topics/"))
    assert summary.rendered == 1
    assert summary.written == len(changed)


def test_an_edit_re_indexes_only_the_search_shard_of_the_article_it_changes(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "ARTICLES_PER_SHARD", 1)  # the three articles in four shards
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    shards = json.loads((out / "pagefind/shards.json").read_text())["shards"]
    assert shards == ["site", "a4-0", "a4-1", "a4-2", "a4-3"]
    before = stamps(out)
    apply_edit(root, "claim-status", 0)  # call-0's verdict: its page, and the lists of topic and status pages
    build(root, out, jobs=1)
    after = stamps(out)
    rewritten = {path.split("/")[1] for path in after if path.startswith("pagefind/") and after[path] != before.get(path)}
    assert rewritten == {search.shard_of("articles/call-0/index.html", 3)}  # not the site shard: lists are not indexed
    assert tree(out) == outcome(root, tmp_path / "clean", use_cache=False)[1]


def test_a_search_shard_damaged_in_the_output_and_a_build_without_search_are_made_good(tmp_path: Path,
                                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "ARTICLES_PER_SHARD", 1)
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    expected = tree(out)
    entry = out / "pagefind" / search.shard_of("articles/call-2/index.html", 3) / "pagefind-entry.json"
    entry.write_text("{}", encoding="utf-8")
    (out / "pagefind/shards.json").unlink()
    build(root, out, jobs=1)
    assert tree(out) == expected
    build(root, out, jobs=1, search=False)
    assert not (out / "pagefind").exists() and not (out / "search").exists()
    build(root, out, jobs=1)
    assert tree(out) == expected


def test_a_rebuild_without_changes_renders_and_writes_nothing(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    first = build(root, tmp_path / "public", jobs=1)
    before = stamps(tmp_path / "public")
    again = build(root, tmp_path / "public", jobs=1)
    assert (again.rendered, again.written, again.pages) == (0, 0, first.pages)
    assert stamps(tmp_path / "public") == before


def test_deleting_an_article_removes_its_page_and_updates_the_indexes(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    assert (out / "articles" / "call-1" / "index.html").is_file()
    (root / "content" / "articles" / "call-1.md").unlink()
    (root / "content" / "articles" / "call-1.yaml").unlink()
    build(root, out, jobs=1)
    assert not (out / "articles" / "call-1").exists()
    for index in ("index.html", "topics/agriculture/index.html", "sources/trump/index.html", "discrepancies/index.html"):
        text = (out / index).read_text(encoding="utf-8")
        assert "call-1/" not in text and "call-0/" in text, index
    assert tree(out) == outcome(root, tmp_path / "clean", use_cache=False)[1]


def test_a_file_deleted_from_the_output_is_written_again(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    expected = tree(out)
    (out / "articles" / "call-2" / "index.html").unlink()
    summary = build(root, out, jobs=1)
    assert tree(out) == expected
    assert summary.rendered == 1


@pytest.mark.parametrize("damage", ["truncate", "garbage", "flip-bytes", "planted-pickle"])
def test_a_damaged_cache_is_detected_and_ignored(tmp_path: Path, damage: str) -> None:
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    expected = tree(out)
    cache = root / CACHE_DIR
    store = cache / STORE_FILE
    (state,) = cache.glob("state-*.sqlite")
    if damage == "truncate":  # both files: the store's facts and the output's state
        for path in (store, state):
            data = path.read_bytes()
            path.write_bytes(data[:len(data) // 3])
    elif damage == "garbage":
        for path in (store, state):
            path.write_bytes(b"not a database" * 100)
    elif damage == "flip-bytes":
        with sqlite3.connect(store) as db:
            for name, data in db.execute("SELECT name, data FROM blobs").fetchall():
                db.execute("UPDATE blobs SET data = ? WHERE name = ?", (data[:-1] + bytes([data[-1] ^ 1]), name))
    else:  # a blob replaced by one that would run code when unpickled, with the old MAC
        marker = tmp_path / "unpickled"
        payload = pickle.dumps(_Planted(str(marker)))
        with sqlite3.connect(store) as db:
            db.execute("UPDATE blobs SET data = ?", (payload,))
    (root / "content" / "articles" / "call-0.md").write_text(article_text("call-0", "Changed", BODY), encoding="utf-8")
    summary = build(root, out, jobs=1)
    if damage in ("truncate", "garbage"):
        assert summary.rendered == summary.pages  # no state to trust: every page rendered again
    assert tree(out) == outcome(root, tmp_path / "clean", use_cache=False)[1]
    assert tree(out) != expected
    if damage == "planted-pickle":
        assert not (tmp_path / "unpickled").exists()
    # Edits of the other articles, whose stored results were damaged, are still seen.
    apply_edit(root, "article-text", 2)
    build(root, out, jobs=1)
    assert tree(out) == outcome(root, tmp_path / "clean2", use_cache=False)[1]


class _Planted:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_cached_articles_still_report_their_errors(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    sources = root / "content" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace("trump:", "trump-gone:"), encoding="utf-8")
    with pytest.raises(ContentErrors) as first:
        build(root, out, jobs=1)
    assert any("unknown source 'trump'" in d.message for d in first.value.diagnostics)
    (root / "content" / "articles" / "call-0.yaml").write_text(ANNOTATIONS.replace("status: unconfirmed", "status: maybe"),
                                                                encoding="utf-8")
    for _ in range(2):  # the second time, the broken article's results come from the cache
        with pytest.raises(ContentErrors) as errors:
            build(root, out, jobs=1)
        messages = [str(d) for d in errors.value.diagnostics]
        assert any("unknown status 'maybe'" in m for m in messages)
        assert sum("unknown source 'trump'" in m for m in messages) == 3


def test_clean_ignores_the_cache(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    first = build(root, tmp_path / "public", jobs=1)
    again = build(root, tmp_path / "public", jobs=1, clean=True)
    assert again.rendered == first.pages
    assert again.written == 0  # every file already had those bytes: kept, with its mtime


def test_the_staging_folder_keeps_the_previous_output_beside_it(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    apply_edit(root, "article-text", 0)
    build(root, out, jobs=1)
    staging = tmp_path / ".public.staging"
    assert staging.is_dir()
    assert os.path.samefile(staging / "articles" / "call-1" / "index.html", out / "articles" / "call-1" / "index.html")
    assert not os.path.samefile(staging / "articles" / "call-0" / "index.html", out / "articles" / "call-0" / "index.html")


def test_the_input_scan_names_the_paths_content_reads() -> None:
    from builder import inputs
    from builder.stages import content

    assert (inputs.CONFIG_PATH, inputs.ARTICLES_DIR) == (content.CONFIG_PATH, content.ARTICLES_DIR)


def test_a_build_that_fails_while_rendering_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    before = stamps(out)
    theme = (Path(__file__).resolve().parent.parent / "templates" / "article.html").read_text(encoding="utf-8")
    broken = root / "templates" / "article.html"
    broken.parent.mkdir()
    broken.write_text(theme.replace("</article>", "{{ no_such_variable }}</article>"), encoding="utf-8")
    apply_edit(root, "article-text", 2)
    with pytest.raises(Exception, match="no_such_variable"):
        build(root, out, jobs=1)
    assert stamps(out) == before
    broken.unlink()
    build(root, out, jobs=1)
    assert tree(out) == outcome(root, tmp_path / "clean", use_cache=False)[1]


def test_a_swap_killed_between_its_two_renames_is_undone(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    expected = tree(out)
    out.rename(tmp_path / ".public.old-4242")  # where a killed fallback swap leaves the previous site
    build(root, out, jobs=1)
    assert tree(out) == expected
    assert not (tmp_path / ".public.old-4242").exists()


def test_editing_one_page_template_re_renders_only_the_pages_that_use_it(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    build(root, out, jobs=1)
    theme = (Path(__file__).resolve().parent.parent / "templates" / "topic.html").read_text(encoding="utf-8")
    (root / "templates").mkdir()
    (root / "templates" / "topic.html").write_text(theme.replace("<h1>", "<h1 class='edited'>"), encoding="utf-8")
    summary = build(root, out, jobs=1)
    assert summary.rendered == summary.written == len(TOPICS)
    (root / "templates" / "base.html").write_text(
        (Path(__file__).resolve().parent.parent / "templates" / "base.html").read_text(encoding="utf-8") + "\n",
        encoding="utf-8")
    assert build(root, out, jobs=1).rendered == summary.pages
    assert tree(out) == outcome(root, tmp_path / "clean", use_cache=False)[1]


def test_every_template_of_the_theme_but_its_partials_is_a_page_template() -> None:
    """A page whose template the build does not fingerprint would miss the template's edits."""
    theme = Path(__file__).resolve().parent.parent / "templates"
    assert set(PAGE_TEMPLATES) == {p.name for p in theme.glob("*.html")} - {"base.html", "macros.html"}


def test_a_page_linking_a_claim_by_id_follows_it_when_it_becomes_a_caveat(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    out = tmp_path / "public"
    md = root / "content/articles/call-0.md"
    md.write_text(md.read_text(encoding="utf-8").replace("reported the call", "reported [the call](@/articles/call-1.md#x)"),
                  encoding="utf-8")
    yaml = root / "content/articles/call-1.yaml"
    yaml.write_text(ANNOTATIONS.replace("id: soybeans", "id: x").replace("claims: [soybeans]", "claims: [x]"), encoding="utf-8")
    build(root, out, jobs=1)
    assert 'href="../call-1/#claim-x"' in (out / "articles/call-0/index.html").read_text(encoding="utf-8")
    yaml.write_text(ANNOTATIONS.replace("id: omitted", "id: x"), encoding="utf-8")  # now x is the caveat
    build(root, out, jobs=1)
    assert 'href="../call-1/#caveat-x"' in (out / "articles/call-0/index.html").read_text(encoding="utf-8")
    assert tree(out) == outcome(root, tmp_path / "clean", use_cache=False)[1]


def test_registering_a_claimant_re_renders_the_pages_that_name_them_and_no_article_that_does_not(tmp_path: Path) -> None:
    root = make_site(tmp_path, base_files())
    other = root / "content/articles/call-2.yaml"
    other.write_text(ANNOTATIONS.replace("claimant: Donald Trump", "claimant: Xinhua"), encoding="utf-8")
    out = tmp_path / "public"
    build(root, out, jobs=1)
    before = stamps(out)
    (root / "content/claimants.yaml").write_text("trump:\n  name: Donald J. Trump\n  aliases: [Donald Trump]\n",
                                                 encoding="utf-8")
    build(root, out, jobs=1)
    after = stamps(out)
    changed = {path for path in after if after[path] != before.get(path) and path.endswith(".html")}
    assert {"articles/call-0/index.html", "articles/call-1/index.html", "claimants/trump/index.html"} <= changed
    assert "articles/call-2/index.html" not in changed
    assert "Donald J. Trump" in (out / "articles/call-0/index.html").read_text(encoding="utf-8")
    assert not (out / "claimants/donald-trump").exists()
    assert tree(out) == outcome(root, tmp_path / "clean", use_cache=False)[1]
