"""`digest serve` as a person uses it: a real process on a free port, edits on disk, a browser's requests.

One server runs for the module; the tests run in file order, each leaving the site valid.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Iterator

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from builder.cli import main
from builder.serve import LIVE_PREFIX

ARTICLE = "content/articles/riverton-bus-fares.md"
ANNOTATIONS = "content/articles/riverton-bus-fares.yaml"
PAGE = "/articles/riverton-bus-fares/"
TIMEOUT = 15.0  # seconds for anything that should take well under one
# The server, with a stack dump of every thread on SIGUSR1: what a hung shutdown was doing.
SERVE = [sys.executable, "-c", "import faulthandler, signal; faulthandler.register(signal.SIGUSR1, all_threads=True); "
                               "from builder.cli import main; main()", "serve"]


def stop_with_ctrl_c(process: subprocess.Popen, stderr: "Lines") -> int:
    """SIGINT, then the exit code; on a hang, fail with every thread's stack."""
    process.send_signal(signal.SIGINT)
    try:
        return process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGUSR1)
        time.sleep(1)
        process.kill()
        process.wait()
        time.sleep(0.5)
        raise AssertionError("no exit within the timeout after SIGINT; threads were:\n" + "\n".join(stderr.drain()))


class Lines:
    """A process's output, read on a thread so a test can wait for a line with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self.seen: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))

    def drain(self) -> list[str]:
        while not self._queue.empty():
            self.seen.append(self._queue.get())
        return self.seen

    def wait_for(self, pattern: str) -> re.Match:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r} within {TIMEOUT} s; saw {self.seen}")


class Server:
    def __init__(self, process: subprocess.Popen, port: int, stdout: Lines, stderr: Lines, root: Path) -> None:
        self.process, self.port, self.stdout, self.stderr, self.root = process, port, stdout, stderr, root

    def get(self, path: str) -> tuple[int, http.client.HTTPMessage, str]:
        """Status, headers (looked up case-insensitively, as HTTP has them) and body."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.headers, response.read().decode("utf-8")
        finally:
            connection.close()

    def events(self) -> "Events":
        return Events(self.port)

    def edit(self, rel_path: str, old: str, new: str) -> None:
        path = self.root / rel_path
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")


class Events:
    """One page's server-sent-events connection."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        self.connection.request("GET", LIVE_PREFIX + "events")
        self.sock = self.connection.sock  # the response keeps reading from it after the connection lets go
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next(self) -> tuple[str, dict]:
        name, data = "", ""
        while True:
            line = self.response.fp.readline().decode("utf-8")
            assert line, "the event stream ended"
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line[len("event: "):]
            elif line.startswith("data: "):
                data = line[len("data: "):]
            elif line == "" and name:
                return name, json.loads(data)

    def close(self) -> None:
        self.connection.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("serve") / "site"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    process = subprocess.Popen(
        [*SERVE, "--source", str(root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    stdout, stderr = Lines(process.stdout), Lines(process.stderr)
    port = int(stdout.wait_for(r"serving http://127\.0\.0\.1:(\d+)/").group(1))
    yield Server(process, port, stdout, stderr, root)
    if process.poll() is None:
        process.kill()
        process.wait()


def test_pages_are_served_with_the_reload_script(server: Server) -> None:
    status, headers, body = server.get(PAGE)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    script = BeautifulSoup(body, "html.parser").find("script", src=LIVE_PREFIX + "live.js")
    assert script is not None and script.find_parent("body") is not None
    assert server.get(LIVE_PREFIX + "live.js")[0] == 200


def test_pretty_urls_redirect_a_folder_to_its_slash(server: Server) -> None:
    status, headers, _ = server.get("/articles/riverton-bus-fares?x=1")
    assert status == 301 and headers["Location"] == "/articles/riverton-bus-fares/?x=1"
    assert server.get("/")[0] == 200
    assert server.get("/index.html")[0] == 200


def test_assets_are_served_as_they_are(server: Server) -> None:
    status, headers, body = server.get("/static/style.css")
    assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8"
    assert body.startswith(":root") or "{" in body
    assert LIVE_PREFIX not in body


@pytest.mark.parametrize("path", ["/nothing-here/", "/articles/nope", "/../../etc/passwd", "/%2e%2e/etc/passwd"])
def test_missing_and_outside_paths_are_404(server: Server, path: str) -> None:
    status, _, body = server.get(path)
    assert status == 404
    assert "Not found" in body and LIVE_PREFIX + "live.js" in body


def test_an_open_event_stream_does_not_block_other_requests(server: Server) -> None:
    streams = [server.events() for _ in range(8)]
    try:
        assert all(stream.next()[0] == "hello" for stream in streams)
        started = time.monotonic()
        assert server.get(PAGE)[0] == 200
        assert time.monotonic() - started < 2
    finally:
        for stream in streams:
            stream.close()


def test_an_edit_rebuilds_the_page_and_sends_a_reload_event(server: Server) -> None:
    events = server.events()
    try:
        hello = events.next()
        assert hello[0] == "hello" and hello[1]["overlay"] == ""
        saved = time.monotonic()
        server.edit(ARTICLE, "Mayor Ana Lopez said", "Mayor Ana Lopez told reporters")
        name, data = events.next()
        seconds = time.monotonic() - saved
        assert name == "reload"
        # The page, and what is derived from its text: the feeds, the exports and the search index.
        assert "articles/riverton-bus-fares/index.html" in data["changed"]
        assert [path for path in data["changed"] if path.endswith(".html")] == ["articles/riverton-bus-fares/index.html"]
        assert all(path.endswith((".html", "feed.xml")) or path.startswith(("data/", "pagefind/"))
                   for path in data["changed"]), data["changed"]
        assert data["generation"] != hello[1]["generation"]
        assert "told reporters" in server.get(PAGE)[2]
        print(f"save to reload event: {seconds:.3f} s")
        assert seconds < 5
    finally:
        events.close()
    server.stdout.wait_for(r"rebuilt in [\d.]+ s: 1 of 23 pages changed")


def test_a_file_the_build_does_not_read_triggers_no_rebuild(server: Server) -> None:
    events = server.events()
    try:
        assert events.next()[0] == "hello"
        (server.root / "content/notes.txt").write_text("to do: call the council")
        (server.root / "content/articles/ideas.txt").write_text("a story about trams")
        events.sock.settimeout(1.5)  # a quiet stream is the point
        with pytest.raises(TimeoutError):
            events.next()
    finally:
        events.close()


def test_an_invalid_edit_shows_the_errors_over_the_page_until_fixed(server: Server) -> None:
    events = server.events()
    try:
        assert events.next()[0] == "hello"
        server.edit(ANNOTATIONS, "quote: save a regular commuter", "quote: save a regular traveller")
        name, data = events.next()
        assert name == "errors"
        message = ("content/articles/riverton-bus-fares.yaml:13:12: error: quote 'save a regular traveller about "
                   "120 dollars a year' not found in the article text")
        assert message in BeautifulSoup(data["overlay"], "html.parser").get_text()
        server.stderr.wait_for(re.escape(message))
        server.stderr.wait_for(r"^1 error; pages show them until they are fixed$")

        status, _, body = server.get(PAGE)  # the last good page, with the errors over it
        assert status == 200
        overlay = BeautifulSoup(body, "html.parser").find(id="digest-errors")
        assert overlay is not None and message in overlay.get_text()
        assert "told reporters" in body

        server.edit(ANNOTATIONS, "quote: save a regular traveller", "quote: save a regular commuter")
        name, data = events.next()
        assert name == "reload"
        assert server.process.poll() is None
        body = server.get(PAGE)[2]
        assert BeautifulSoup(body, "html.parser").find(id="digest-errors") is None
        server.stdout.wait_for(r"^fixed; rebuilt in ")
    finally:
        events.close()


def test_a_new_site_template_overrides_the_theme_and_reloads(server: Server) -> None:
    events = server.events()
    try:
        assert events.next()[0] == "hello"
        (server.root / "templates").mkdir()
        (server.root / "templates/home.html").write_text(
            '{% extends "base.html" %}{% block main %}<p id="mine">Mine</p>{% endblock %}')
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            name, data = events.next()
            if name == "reload" and "index.html" in data["changed"]:
                break
        assert BeautifulSoup(server.get("/")[2], "html.parser").find(id="mine") is not None
    finally:
        events.close()


def test_ctrl_c_stops_the_server_cleanly(server: Server) -> None:
    assert stop_with_ctrl_c(server.process, server.stderr) == 0
    server.stdout.wait_for(r"^stopped$")
    assert not any("Traceback" in line for line in server.stderr.seen)


def test_a_site_that_does_not_build_at_start_is_served_once_fixed(tmp_path: Path) -> None:
    root = tmp_path / "site"
    CliRunner().invoke(main, ["init", str(root)])
    annotations = root / ANNOTATIONS
    annotations.write_text(annotations.read_text().replace("status: confirmed", "status: confirmd"))
    process = subprocess.Popen(
        [*SERVE, "--source", str(root), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        stdout, stderr = Lines(process.stdout), Lines(process.stderr)
        stderr.wait_for(r"riverton-bus-fares\.yaml:\d+:\d+: error: unknown status 'confirmd' \(did you mean 'confirmed'\?\)")
        server = Server(process, int(stdout.wait_for(r"serving http://127\.0\.0\.1:(\d+)/").group(1)), stdout, stderr, root)
        status, _, body = server.get(PAGE)
        assert status == 404
        assert "unknown status 'confirmd'" in BeautifulSoup(body, "html.parser").find(id="digest-errors").get_text()
        events = server.events()
        assert events.next()[0] == "hello"
        server.edit(ANNOTATIONS, "status: confirmd", "status: confirmed")
        assert events.next()[0] == "reload"
        events.close()
        assert server.get(PAGE)[0] == 200
        assert stop_with_ctrl_c(process, stderr) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_built_sites_never_contain_the_reload_script(tmp_path: Path) -> None:
    CliRunner().invoke(main, ["init", str(tmp_path)])
    assert CliRunner().invoke(main, ["build", "--source", str(tmp_path)]).exit_code == 0
    files = [p for p in (tmp_path / "public").rglob("*") if p.is_file()]
    assert files and not any(LIVE_PREFIX.encode() in p.read_bytes() for p in files)


def test_rebuild_keeps_warnings_out_of_the_error_overlay(tmp_path: Path) -> None:
    from conftest import article, make_site
    from builder.serve import rebuild
    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    outcome = rebuild(site, tmp_path / "out", include_drafts=False)
    assert outcome.summary is not None and outcome.summary.warnings and outcome.errors == ()


def test_rebuild_locates_a_template_error(tmp_path: Path) -> None:
    from conftest import article, make_site
    from builder.serve import rebuild
    site = make_site(tmp_path / "site", {"content/articles/a.md": article(),
                                         "templates/home.html": "{% extends 'base.html' %}\n{% block main %}{{ nope }{% endblock %}"})
    outcome = rebuild(site, tmp_path / "out", include_drafts=False)
    assert outcome.summary is None
    assert [str(d) for d in outcome.errors] == ["templates/home.html:2:1: error: template error: unexpected '}'"]


def test_the_overlay_escapes_what_it_shows() -> None:
    from builder.stages.diagnostics import Diagnostic, Location
    from builder.serve import overlay_html
    overlay = overlay_html([Diagnostic(Location("content/a.yaml", 3, 4), "quote '<script>' not found")])
    assert "<script>" not in overlay and "&lt;script&gt;" in overlay
    assert overlay_html([]) == ""


def test_serve_outside_a_digest_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--source", str(tmp_path), "--port", "0"])
    assert result.exit_code == 1
    assert "is not a digest: it has neither site/ nor content/" in result.stderr


def test_a_port_in_use_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    import socket
    CliRunner().invoke(main, ["init", str(tmp_path)])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--source", str(tmp_path), "--port", str(port)])
    assert result.exit_code == 1
    assert result.stderr.endswith(f"error: port {port} is already in use on 127.0.0.1: stop the other server, "
                                  "or choose another port with --port\n")


@pytest.mark.parametrize("rel_path, affects", [
    ("content/articles/a.md", True), ("content/articles/a.yaml", True), ("content/sources.yaml", True),
    ("content/topics.yaml", True), ("content/claimants.yaml", True),
    ("site/config.yaml", True), ("site/static/img/logo.svg", True), ("templates/home.html", True),
    ("content/articles", True), ("content/notes.txt", False), ("content/articles/a.txt", False),
    ("content/articles/old/a.md", False), ("site/notes.md", False), ("public/index.html", False),
])
def test_which_changes_need_a_rebuild(tmp_path: Path, rel_path: str, affects: bool) -> None:
    from builder.watch import affects_build
    assert affects_build(tmp_path / rel_path, tmp_path) is affects


def test_a_preview_rebuild_that_waits_for_another_build_says_so(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from builder.build import CACHE_DIR, LOCK_FILE
    from builder.engine.lock import held
    from builder.serve import rebuild
    from conftest import article, make_site

    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    (site / CACHE_DIR).mkdir()
    said = ""
    with held(site / CACHE_DIR / LOCK_FILE):  # another build of the site, as far as the preview can tell
        waiting = threading.Thread(target=rebuild, args=(site, tmp_path / "public", False))
        waiting.start()
        deadline = time.monotonic() + 30
        while "waiting for another build" not in said and time.monotonic() < deadline:
            time.sleep(0.05)
            said += capsys.readouterr().err
        assert not (tmp_path / "public").exists()  # it waited: nothing built yet
    waiting.join(timeout=60)
    assert "waiting for another build of this site to finish (" in said
    assert (tmp_path / "public" / "articles" / "a" / "index.html").is_file()
