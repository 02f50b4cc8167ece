"""The W3C Nu HTML Checker (vnu.jar from the npm package vnu-jar) finds no error on any page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import REPO

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.fixture(scope="module")
def desk_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/desk and the `digest init` example, built side by side: verdict histories, corrections,
    cited documents, claimant and verdict pages."""
    from builder.build import build
    from builder.scaffold import create_digest

    out = tmp_path_factory.mktemp("desk-html")
    build(REPO / "tests" / "sites" / "desk", out / "desk")
    create_digest(out / "starter-site", "Starter", copy_theme=False)
    build(out / "starter-site", out / "starter")
    shutil.rmtree(out / "starter-site")
    return out


@pytest.mark.parametrize("site", ["default_site", "desk_site"])
def test_every_page_is_valid_html(site: str, request: pytest.FixtureRequest) -> None:
    if os.environ.get("DIGEST_SKIP_BROWSER") == "1":
        pytest.skip("DIGEST_SKIP_BROWSER=1 is set")
    java = shutil.which("java")
    assert java, "java (17 or later) is needed to run the Nu HTML Checker"
    assert VNU.is_file(), f"{VNU} is missing: run npm ci --ignore-scripts in {REPO}"
    folder = request.getfixturevalue(site)
    pages = sorted(folder.rglob("*.html"))
    assert len(pages) >= 20
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json",
                             str(folder)], capture_output=True, text=True, check=False)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m['url']}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] != "info"]
    assert errors == []
    assert result.returncode == 0


def test_stylesheet_is_valid_css() -> None:
    if os.environ.get("DIGEST_SKIP_BROWSER") == "1":
        pytest.skip("DIGEST_SKIP_BROWSER=1 is set")
    java = shutil.which("java")
    assert java and VNU.is_file()
    css = REPO / "templates" / "static" / "style.css"
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--css", "--format", "json", str(css)],
                            capture_output=True, text=True, check=False)
    assert json.loads(result.stderr or result.stdout)["messages"] == []
