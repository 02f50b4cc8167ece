"""The Pagefind index: built with the site, skipped with --no-search, a clear error without the binary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.build import build
from builder.cli import main
from builder.stages import search, searchable, vocabulary
from builder.stages.render import RenderedFile
from conftest import REPO, article, make_site, tree


def test_default_build_writes_one_bundle_per_shard_and_the_manifest(default_site: Path) -> None:
    bundle = default_site / "pagefind"
    manifest = json.loads((bundle / "shards.json").read_text())
    assert manifest == {"shards": ["site", "a1-0"]}  # the default digest's one article fits one shard
    assert sorted(p.name for p in bundle.iterdir()) == ["a1-0", "shards.json", "site"]
    for shard in manifest["shards"]:
        assert (bundle / shard / "pagefind-entry.json").is_file() and list((bundle / shard / "fragment").iterdir())
    # Pagefind's JavaScript and WebAssembly once, in the shard the browser loads first; no Pagefind UI.
    assert (bundle / "site" / "pagefind.js").is_file() and (bundle / "site" / "wasm.en.pagefind").is_file()
    assert not list((bundle / "a1-0").glob("*.js")) and not list((bundle / "a1-0").glob("wasm.*"))
    assert not list(bundle.rglob("pagefind-*ui*")) and not list(bundle.rglob("wasm.unknown.pagefind"))
    search_page = BeautifulSoup((default_site / "search" / "index.html").read_text(), "html.parser")
    assert search_page.select_one("[data-search]")["data-manifest"] == "../pagefind/shards.json"
    assert search_page.select_one('script[type="module"]')["src"] == "../static/search.js"
    assert 'action="../search/"' in (default_site / "topics" / "index.html").read_text()


def test_no_search_skips_the_index_the_page_and_the_box(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    result = CliRunner().invoke(main, ["build", "--source", str(root), "--no-search"])
    assert result.exit_code == 0, result.output
    assert not (root / "public" / "pagefind").exists() and not (root / "public" / "search").exists()
    assert "search" not in (root / "public" / "index.html").read_text().lower()


def test_missing_pagefind_binary_is_a_clear_error_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    root = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    result = CliRunner().invoke(main, ["build", "--source", str(root)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("error: the search index needs the pagefind binary, which was not found")
    assert "--no-search" in result.output
    assert not (root / "public").exists()
    assert CliRunner().invoke(main, ["build", "--source", str(root), "--no-search"]).exit_code == 0


def test_two_builds_are_byte_identical_search_index_included(tmp_path: Path, default_site: Path) -> None:
    build(REPO, tmp_path / "again")
    assert tree(tmp_path / "again") == tree(default_site)


@pytest.mark.parametrize("articles, shards", [(0, 1), (1, 1), (256, 1), (257, 2), (1000, 4), (10_000, 64)])
def test_shard_count_is_the_smallest_power_of_two_that_keeps_shards_at_256_articles(articles: int, shards: int) -> None:
    assert search.shard_count(articles) == shards


def test_an_article_keeps_its_shard_until_the_count_doubles_and_then_splits_in_two() -> None:
    slugs = [f"article-{n}" for n in range(400)]
    at_two = {slug: search.shard_of(f"articles/{slug}/index.html", 300) for slug in slugs}
    at_four = {slug: search.shard_of(f"articles/{slug}/index.html", 600) for slug in slugs}
    assert at_two == {slug: search.shard_of(f"articles/{slug}/index.html", 512) for slug in slugs}  # same count
    for slug in slugs:
        bucket = int(at_two[slug].split("-")[1])
        assert at_four[slug] in (f"a4-{bucket}", f"a4-{bucket + 2}")
    assert sorted(set(at_four.values())) == ["a4-0", "a4-1", "a4-2", "a4-3"]
    assert all(70 <= list(at_four.values()).count(shard) <= 130 for shard in set(at_four.values()))  # about even


def test_topic_and_source_pages_go_to_the_site_shard_and_index_pages_to_none() -> None:
    assert search.shard_of("topics/trade/index.html", 5) == search.shard_of("sources/xinhua/index.html", 5) == "site"
    for path in ["index.html", "topics/index.html", "sources/index.html", "discrepancies/index.html",
                 "search/index.html", "404.html", "articles/x/extra.html", "topics/trade/page/2/index.html"]:
        assert not search.is_searchable(path)
        with pytest.raises(ValueError, match="is not indexed for search"):
            search.shard_of(path, 5)


def test_the_manifest_lists_the_site_shard_first_then_article_shards_in_numeric_order() -> None:
    manifest = search.shards_manifest(["a16-10", "a16-2", "site", "a16-1"])
    assert manifest.path == "pagefind/shards.json"
    assert json.loads(manifest.data) == {"shards": ["site", "a16-1", "a16-2", "a16-10"]}


def test_each_stem_becomes_one_marked_word_less_its_last_letter() -> None:
    assert vocabulary.vocabulary_words({"soybean", "tariff", "a", "tarif"}) == ["soybea0zq", "tari0zq", "tarif0zq"]


def test_page_tokens_keep_words_that_inline_elements_split_and_skip_scripts() -> None:
    tokens = vocabulary.page_tokens([b'<p><b>soy</b>beans for&nbsp;sale</p><img alt="Grain silo"><script>var hidden</script>'])
    assert {"soy", "beans", "soybeans", "for", "sale", "forsale", "Grain", "silo"} <= set(tokens)
    assert "hidden" not in tokens and "var" not in tokens


def test_a_shard_is_one_bundle_over_its_pages_and_its_vocabulary_page(tmp_path: Path) -> None:
    pages = [RenderedFile(f"articles/{slug}/index.html", (
        f'<!DOCTYPE html><html lang="en"><head><title>{slug}</title></head><body><main data-pagefind-body>'
        f'<h1>{slug}</h1><p>Farmers sold soybeans in {slug}.</p></main></body></html>').encode()) for slug in ("lima", "oslo")]
    files = search.index_shard("a2-1", pages, "en")
    assert all(file.path.startswith("pagefind/a2-1/") for file in files)
    names = {file.path.removeprefix("pagefind/a2-1/") for file in files}
    assert "pagefind-entry.json" in names and not {"pagefind.js", "wasm.en.pagefind"} & names  # runtime is in site
    entry = json.loads(next(f.data for f in files if f.path.endswith("pagefind-entry.json")))
    assert entry["languages"]["en"]["page_count"] == 3  # the two pages and the vocabulary page
    bundle = tmp_path / "bundle"
    for file in files:
        (bundle / file.path).parent.mkdir(parents=True, exist_ok=True)
        (bundle / file.path).write_bytes(file.data)
    words = vocabulary.index_words(bundle / "pagefind" / "a2-1" / "index")
    assert {"farmer", "soybean", "lima", "oslo"} <= words  # Pagefind's stems of the pages' words
    assert {"farme0zq", "soybea0zq"} <= words  # and the vocabulary page's marked words
    assert search.index_shard("a2-1", pages, "en") == files  # deterministic
    site_files = {f.path for f in search.index_shard("site", pages[:1], "en")}
    assert {"pagefind/site/pagefind.js", "pagefind/site/pagefind-worker.js", "pagefind/site/wasm.en.pagefind"} <= site_files


def test_pages_without_their_ignored_parts_give_pagefind_the_same_bundle(tmp_path: Path, default_site: Path) -> None:
    pages = [path for path in default_site.rglob("index.html") if search.is_searchable(path.relative_to(default_site).as_posix())]
    bundles = []
    for name, transform in [("whole", lambda data: data), ("stripped", searchable.without_ignored)]:
        for path in pages:
            target = tmp_path / name / path.relative_to(default_site)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(transform(path.read_bytes()))
        search._run_pagefind(search.pagefind_binary(), tmp_path / name, tmp_path / f"{name}-bundle", "en")
        bundles.append(tree(tmp_path / f"{name}-bundle"))
    assert bundles[0] == bundles[1] and bundles[0]
    source_page = (default_site / "sources" / "xinhua" / "index.html").read_bytes()
    stripped = searchable.without_ignored(source_page).decode()
    assert "Claims citing" not in stripped and "Xinhua News Agency" in stripped and stripped.endswith("</html>\n")


def test_without_ignored_keeps_everything_else_verbatim() -> None:
    page = (b'<!DOCTYPE html><html lang="en"><body><main data-pagefind-body><h1 id="t">A &amp; B</h1><br>'
            b'<section data-pagefind-ignore><ul><li>x<img src="i.png"></li></ul><br></section><p>&#8212; kept</p>'
            b'<!-- note --></main></body></html>')
    assert searchable.without_ignored(page) == (
        b'<!DOCTYPE html><html lang="en"><body><main data-pagefind-body><h1 id="t">A &amp; B</h1><br>'
        b'<p>&#8212; kept</p><!-- note --></main></body></html>')
