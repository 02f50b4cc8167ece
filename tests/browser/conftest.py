"""Browser fixtures: the default digest built and served from a sub-path (/digest/) on 127.0.0.1,
and Debian's Chromium driven by Playwright.

Chromium missing is a failure, not a skip: set DIGEST_SKIP_BROWSER=1 to skip these tests on
purpose (CI never does).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

import pytest

from builder.build import build
from conftest import REPO

CHROMIUM = os.environ.get("DIGEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SUB_PATH = "/digest/"
DESK = REPO / "tests" / "sites" / "desk"
NODE_MODULES = REPO / "node_modules"
SCREENSHOTS = Path(os.environ.get("DIGEST_SCREENSHOTS", REPO / "test-output" / "screenshots"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("DIGEST_SKIP_BROWSER") == "1":
        skip = pytest.mark.skip(reason="DIGEST_SKIP_BROWSER=1 is set")
        for item in items:
            if "tests/browser" in item.nodeid:
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if SCREENSHOTS.is_dir() and any(SCREENSHOTS.iterdir()):
        terminalreporter.write_line(f"browser screenshots: {SCREENSHOTS}")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextlib.contextmanager
def served(root: Path) -> Iterator[str]:
    """`root` served by a real HTTP server on 127.0.0.1: yields http://127.0.0.1:PORT/."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The default digest, served by a real HTTP server from a sub-path: http://127.0.0.1:PORT/digest/."""
    yield from _served(REPO, tmp_path_factory.mktemp("served"), SUB_PATH)


@pytest.fixture(scope="session")
def desk_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """tests/sites/desk (claimants, verdict histories, corrections, archived citations, id links),
    served the same way from /desk/."""
    yield from _served(DESK, tmp_path_factory.mktemp("served-desk"), "/desk/")


def _served(site: Path, root: Path, sub_path: str) -> Iterator[str]:
    build(site, root / sub_path.strip("/"))
    with served(root) as origin:
        yield origin + sub_path.lstrip("/")


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (apt-get install -y chromium), "
                    "or set DIGEST_SKIP_BROWSER=1 to skip the browser tests on purpose")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    if SCREENSHOTS.exists():
        shutil.rmtree(SCREENSHOTS)
    SCREENSHOTS.mkdir(parents=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def axe_script() -> Path:
    path = NODE_MODULES / "axe-core" / "axe.min.js"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run npm ci --ignore-scripts in {REPO}")
    return path
