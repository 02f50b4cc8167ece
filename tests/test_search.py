"""The Pagefind index: built with the site, skipped with --no-search, a clear error without the binary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.build import build
from builder.cli import main
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
