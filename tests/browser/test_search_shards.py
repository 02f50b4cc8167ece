"""The sharded search index finds what one whole Pagefind index finds, searched by Pagefind's own
code in Chromium: the shipped search.js over the shards, Pagefind's JS API over the whole index.

The corpus is the benchmark's generator (bench/corpus.py) plus three hand-written articles with
words no generated article has, so that some words live in one or two shards only: exactly where
merging shards goes wrong without the vocabulary pages (builder/stages/vocabulary.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import pytest
import yaml

from browser.conftest import served
from builder.build import build
from builder.stages import search
from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
import corpus  # noqa: E402  (the benchmark's seeded corpus generator)

ARTICLES = 300
ARTICLES_PER_SHARD = 32  # 300 articles -> 16 article shards (the default keeps this corpus in 2)
SUB_PATH = "digest/"
WHOLE = "_whole/"  # one Pagefind index of the same pages, beside the site

# slug -> (title, text, claimant, quote); the slugs land in different shards (checked below)
EXTRA = {
    "ferry-strike-portoferraio": ("Ferry strike in Portoferraio",
                                  "The ferry strike in Portoferraio entered its third day as the Okavango delegation "
                                  "arrived to discuss tariffs.", "Ingrid Valtýsdóttir", "the Okavango delegation arrived"),
    "okavango-quokka-count": ("Okavango survey counts a quokka",
                               "A survey team from the Okavango counted one quokka near the river mouth.",
                               "Bram Oosterhuis", "counted one quokka"),
    "harbour-dredging-vote": ("Harbour dredging vote",
                              "Councillors approved the dredging of the harbour after a long debate.",
                              "Bram Oosterhuis", "approved the dredging"),
}


def _write_extra_articles(site: Path) -> None:
    sources = yaml.safe_load((site / "content" / "sources.yaml").read_text())
    source_id = sorted(sources)[0]
    for slug, (title, text, claimant, quote) in EXTRA.items():
        (site / "content" / "articles" / f"{slug}.md").write_text(
            f'---\ntitle: "{title}"\ndate: 2024-05-01\ntopics: [transport]\nsource: {source_id}\n---\n\n{text}\n')
        (site / "content" / "articles" / f"{slug}.yaml").write_text(textwrap.dedent(f"""\
            claims:
              - id: claim-1
                quote: "{quote}"
                claim: "{title}."
                claimant: {claimant}
                status: "unconfirmed"
                sources: [{source_id}]
            """))


def _whole_index(site_out: Path, target: Path) -> None:
    """Today's index: one pagefind run over every searchable page, nothing else."""
    pages = target.parent / "whole-pages"
    for path in site_out.rglob("index.html"):
        relative = path.relative_to(site_out).as_posix()
        if search.is_searchable(relative):
            (pages / relative).parent.mkdir(parents=True, exist_ok=True)
            (pages / relative).write_bytes(path.read_bytes())
    subprocess.run([str(search.pagefind_binary()), "--site", str(pages), "--output-path", str(target), "--silent",
                    "--force-language", "en"], check=True, capture_output=True)


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The corpus built with its sharded index and served, with the whole index at _whole/."""
    root = tmp_path_factory.mktemp("shards")
    corpus.generate(root, ARTICLES, seed=3)
    site = root / "digest"
    _write_extra_articles(site)
    served_root = root / "served"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "ARTICLES_PER_SHARD", ARTICLES_PER_SHARD)
        build(site, served_root / SUB_PATH, use_cache=False)
    _whole_index(served_root / SUB_PATH, served_root / WHOLE)
    with served(served_root) as origin:
        yield origin, site


def _search_both(browser, origin: str, queries: list[str]) -> dict[str, dict[str, dict[str, list[str]]]]:  # type: ignore[no-untyped-def]
    """query -> {"whole": {page URL: sorted sub-result URLs}, "sharded": {...}}."""
    page = browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"HTTP {r.status}: {r.url}"))
    page.goto(origin + SUB_PATH + "search/", wait_until="networkidle")
    found = page.evaluate("""async ([queries, whole, site]) => {
        const sharded = await import(site + "static/search.js");  // the module the page runs
        const pagefind = (await import(whole + "pagefind.js")).createInstance({basePath: whole, baseUrl: site});
        const describe = async (results) => {
            const pages = {};
            for (const result of results) {
                const data = await result.data();
                pages[data.url] = data.sub_results.map(s => s.url).filter(u => u.includes("#")).sort();
            }
            return pages;
        };
        const out = {};
        for (const query of queries) {
            out[query] = {whole: await describe((await pagefind.search(query)).results),
                          sharded: await describe(await sharded.find(query))};
        }
        return out;
    }""", [queries, "/" + WHOLE, "/" + SUB_PATH])
    page.close()
    assert problems == []
    return found


def _claimant_and_source(site: Path) -> tuple[str, str]:
    annotations = sorted((site / "content" / "articles").glob("[a-y]*.yaml"))[0].read_text()
    claimant = re.search(r"claimant: (.+)", annotations).group(1)  # type: ignore[union-attr]
    sources = yaml.safe_load((site / "content" / "sources.yaml").read_text())
    return claimant, sources[sorted(sources)[5]]["name"]


def test_the_corpus_has_many_shards_and_the_rare_words_live_in_different_ones(corpus_site) -> None:  # type: ignore[no-untyped-def]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "ARTICLES_PER_SHARD", ARTICLES_PER_SHARD)
        homes = {search.shard_of(f"articles/{slug}/index.html", ARTICLES + len(EXTRA)) for slug in EXTRA}
    assert len(homes) == len(EXTRA)
    manifest = (corpus_site[1].parent / "served" / SUB_PATH / "pagefind" / "shards.json").read_text()
    assert manifest.count('"a16-') == 16 and '"site"' in manifest


def test_sharded_search_finds_the_same_pages_and_sub_results_as_one_whole_index(browser, corpus_site) -> None:  # type: ignore[no-untyped-def]
    origin, site = corpus_site
    claimant, source_name = _claimant_and_source(site)
    # Words some pages have and others lack: a flood of wrong pages would show here. A claimant has a
    # page of its own (Valtýsdóttir: her page and the article quoting her; Oosterhuis: his and two articles).
    expected_count = {
        "portoferraio": 1, "quokka": 1, "okavango": 2, "Valtýsdóttir": 2, "okavango tariffs": 1, "okav": 2,
        "portoferr": 1, "Bram Oosterhuis": 3, "dredging": 1, '"okavango delegation"': 1}
    queries = [
        "tariffs", "harvest", "pipeline", "subsidies",  # single words
        '"grain reserves"', '"fuel prices"', "copper mine",  # phrases, quoted and not
        claimant, source_name,  # a claimant, a source
        "the", "officials", "said",  # on (nearly) every page
        *expected_count]
    found = _search_both(browser, origin, queries)
    for query in queries:
        whole, sharded = found[query]["whole"], found[query]["sharded"]
        assert whole, f"{query!r} finds nothing at all: not a useful comparison"
        assert set(sharded) == set(whole), (query, sorted(set(sharded) ^ set(whole))[:10])
        assert sharded == whole, (query, {url: (whole[url], sharded[url]) for url in whole if whole[url] != sharded[url]})
        if query in expected_count:
            assert len(whole) == expected_count[query], (query, sorted(whole))
    assert any(subs for subs in found[claimant]["sharded"].values())  # claims show as sub-results


def test_a_word_the_digest_lacks_is_matched_by_a_prefix_in_each_shard_as_pagefind_does(browser, corpus_site) -> None:  # type: ignore[no-untyped-def]
    """Pagefind searches a word no page has as its longest indexed prefix. Over shards each shard
    picks its own prefix, so the sharded results hold the whole index's and maybe more."""
    origin, _ = corpus_site
    found = _search_both(browser, origin, ["portoferraiox"])["portoferraiox"]
    assert set(found["whole"]) == {f"/{SUB_PATH}articles/ferry-strike-portoferraio/"}
    assert set(found["sharded"]) >= set(found["whole"])


def test_the_search_page_lists_results_from_different_shards_with_their_claims(browser, corpus_site) -> None:  # type: ignore[no-untyped-def]
    origin, _ = corpus_site
    page = browser.new_page()
    page.goto(origin + SUB_PATH + "search/?q=okavango", wait_until="networkidle")
    page.wait_for_selector(".search-results > li", timeout=15000)
    page.wait_for_function("document.querySelector('[role=status]').textContent.includes('result')")
    status = page.text_content("[role=status]")
    titles = page.eval_on_selector_all(".search-results > li > h2 a", "els => els.map(a => a.getAttribute('href'))")
    subs = page.eval_on_selector_all(".search-results li li a", "els => els.map(a => a.getAttribute('href'))")
    page.close()
    assert status == "2 results for “okavango”"
    assert sorted(titles) == [f"/{SUB_PATH}articles/{slug}/" for slug in ("ferry-strike-portoferraio", "okavango-quokka-count")]
    assert f"/{SUB_PATH}articles/okavango-quokka-count/#claim-claim-1-title" in subs  # a claim note, as a sub-result
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "ARTICLES_PER_SHARD", ARTICLES_PER_SHARD)
        shards = {search.shard_of(href.removeprefix(f"/{SUB_PATH}") + "index.html", ARTICLES + len(EXTRA)) for href in titles}
    assert len(shards) == 2
