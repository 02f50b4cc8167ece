"""`digest check --links` against a real HTTP server on 127.0.0.1, started by the tests in a thread."""

from __future__ import annotations

import sqlite3

import asyncio
import json
import shutil
import socket
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from builder import __version__
from builder.build import build
from builder.cli import main
from builder.linkcheck import LinkCheckSettings, check_links
from conftest import make_site

FAST = LinkCheckSettings(connect_timeout=1.0, total_timeout=1.0, max_redirects=5)
SLOW_SECONDS = 3.0  # the /slow page answers after this, well past FAST's timeout


class LinkServer:
    """Pages with known answers, and a count of the requests each path received (method, path)."""

    def __init__(self) -> None:
        self.requests: Counter[tuple[str, str]] = Counter()
        self.release = threading.Event()  # lets /slow's handler go at teardown
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                self.answer(body=False)

            def do_GET(self) -> None:
                self.answer(body=True)

            def answer(self, body: bool) -> None:
                path = self.path
                server.requests[(self.command, path)] += 1
                if path == "/slow":
                    server.release.wait(SLOW_SECONDS)
                if path == "/no-head" and self.command == "HEAD":
                    return self.reply(405, {"Allow": "GET"})
                if path == "/busy-once" and server.requests[(self.command, path)] == 1:
                    return self.reply(429, {"Retry-After": "0"})
                status, headers = {
                    "/ok": (200, {}), "/slow": (200, {}), "/no-head": (200, {}), "/busy-once": (200, {}),
                    "/missing": (404, {}), "/broken": (500, {}), "/busy": (429, {"Retry-After": "0"}),
                    "/moved": (301, {"Location": "/ok"}), "/moved-away": (302, {"Location": "/missing"}),
                    "/loop": (302, {"Location": "/loop"}),
                }.get(path, (404, {}))
                self.reply(status, headers, body)

            def reply(self, status: int, headers: dict[str, str], body: bool = False) -> None:
                content = b"<!doctype html><title>page</title>" if body and status == 200 else b""
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(content))}.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(content)
                except (BrokenPipeError, ConnectionResetError):  # the checker gave up waiting (/slow)
                    pass

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def count(self, path: str) -> int:
        return sum(n for (_method, p), n in self.requests.items() if p == path)


@pytest.fixture
def server() -> Iterator[LinkServer]:
    running = LinkServer()
    running.thread.start()
    yield running
    running.release.set()
    running.httpd.shutdown()
    running.httpd.server_close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Names other than loopback do not resolve, as a resolver answers for the reserved .invalid
    TLD (RFC 6761): no test can send a request, or a DNS query, off this machine."""
    resolve = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host in ("127.0.0.1", "localhost", "::1", b"127.0.0.1"):
            return resolve(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def one_source_site(root: Path, url: str, body: str = "Text.") -> Path:
    """A site with one source, at `url`, cited by its one article."""
    return make_site(root, {"content/sources.yaml": f"wire:\n  name: The Wire\n  url: {url}\n",
                            "content/topics.yaml": "",
                            "content/articles/a.md": f"---\ntitle: A\ndate: 2026-02-04\nsource: wire\n---\n\n{body}\n"})


def linked_site(root: Path, base: str, closed_port: int) -> Path:
    """A site citing every kind of answer: in sources, an article body, a claim note and a caveat text."""
    return make_site(root, {
        "content/sources.yaml": f"""\
            wire:
              name: The Wire
              kind: wire
              url: {base}/ok
            board:
              name: The Water Board
              kind: official
              url: {base}/missing
            """,
        "content/articles/call.md": f"""\
            ---
            title: A call
            date: 2026-02-04
            source: wire
            ---

            The board [published figures]({base}/missing) and
            a [report]({base}/broken), then
            [moved]({base}/moved) and
            [moved away]({base}/moved-away).

            A [loop]({base}/loop), a
            [slow page]({base}/slow), a
            [HEAD-shy page]({base}/no-head),
            [nobody home](http://127.0.0.1:{closed_port}/) and [nowhere](http://nowhere.invalid/page).

            The [same figures]({base}/missing#table-2) again, and a [relative link](../../topics/).
            """,
        "content/articles/call.yaml": f"""\
            claims:
              - id: figures
                quote: published figures
                status: confirmed
                sources: [board]
                note: >-
                  The board's [tariff page]({base}/ok) and its
                  [old tariff page]({base}/missing).
            caveats:
              - id: context
                kind: context
                text: See [the archive]({base}/broken).
            """,
        "content/topics.yaml": "",
    })


def expected_warnings(base: str, closed_port: int) -> list[str]:
    """What `digest check --links` says of linked_site() (with --link-timeout 1): columns are those of the URLs."""
    port_digits = len(str(closed_port))  # the closed port's number comes before the .invalid link on its line
    return [
        f"content/articles/call.md:7:31: warning: link {base}/missing is dead: HTTP 404 Not Found; "
        "no archived copy is linked",
        f"content/articles/call.md:8:12: warning: link {base}/broken is dead: HTTP 500 Internal Server Error; "
        "no archived copy is linked",
        f"content/articles/call.md:10:14: warning: link {base}/moved-away is dead: "
        f"HTTP 404 Not Found (redirected to {base}/missing); no archived copy is linked",
        f"content/articles/call.md:12:10: warning: link {base}/loop is dead: "
        "more than 10 redirects (a redirect loop?); no archived copy is linked",
        f"content/articles/call.md:13:13: warning: link {base}/slow is dead: no answer within 1 s; "
        "no archived copy is linked",
        f"content/articles/call.md:15:15: warning: link http://127.0.0.1:{closed_port}/ is dead: "
        "connection refused; no archived copy is linked",
        f"content/articles/call.md:15:{49 + port_digits}: warning: link http://nowhere.invalid/page is dead: "
        "no such host 'nowhere.invalid' (DNS lookup failed); no archived copy is linked",
        f"content/articles/call.md:17:20: warning: link {base}/missing#table-2 is dead: HTTP 404 Not Found; "
        "no archived copy is linked",
        f"content/articles/call.yaml:8:25: warning: link {base}/missing is dead: HTTP 404 Not Found; "
        "no archived copy is linked",
        f"content/articles/call.yaml:12:29: warning: link {base}/broken is dead: HTTP 500 Internal Server Error; "
        "no archived copy is linked",
        f"content/sources.yaml:8:8: warning: URL {base}/missing of source 'board' is dead: HTTP 404 Not Found; "
        "no archived copy is linked",
    ]


def run(*args: str):
    result = CliRunner().invoke(main, ["check", *args])
    assert "Traceback" not in result.output, result.output
    return result


def test_every_dead_link_is_a_warning_at_each_place_it_is_cited(tmp_path, server, closed_port):
    site = linked_site(tmp_path, server.base, closed_port)
    result = run("--source", str(site), "--links", "--link-timeout", "1")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == expected_warnings(server.base, closed_port) + [
        "0 errors, 11 warnings",
        "links: 10 checked (10 requested, 0 from the cache), 7 dead",
    ]


def test_dead_links_fail_the_check_under_strict(tmp_path, server, closed_port):
    site = linked_site(tmp_path, server.base, closed_port)
    result = run("--source", str(site), "--links", "--link-timeout", "1", "--strict")
    assert result.exit_code == 1
    assert "0 errors, 11 warnings" in result.stderr


def test_a_digest_whose_links_all_work_passes_under_strict(tmp_path, server):
    site = one_source_site(tmp_path, f"{server.base}/ok",
                           f"[Moved]({server.base}/moved), [HEAD-shy]({server.base}/no-head).")
    result = run("--source", str(site), "--links", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["0 errors, 0 warnings", "links: 3 checked (3 requested, 0 from the cache), 0 dead"]


def test_each_distinct_url_is_requested_once_however_often_it_is_cited(tmp_path, server, closed_port):
    check_links(linked_site(tmp_path, server.base, closed_port), FAST)
    # /missing is cited four times (twice in the body, once with a fragment), in a note and as a source URL
    assert server.requests[("HEAD", "/missing")] == 2  # once for itself, once as /moved-away's target
    assert server.count("/ok") == 2  # the source URL and the note, once; /moved's target, once
    assert server.count("/broken") == 1


def test_a_server_that_refuses_head_is_asked_with_get(tmp_path, server, closed_port):
    report = check_links(linked_site(tmp_path, server.base, closed_port), FAST)
    assert server.requests[("HEAD", "/no-head")] == 1 and server.requests[("GET", "/no-head")] == 1
    assert not any("/no-head" in d.message for d in report.diagnostics)


def test_requests_carry_a_user_agent_that_names_digest(tmp_path, server):
    seen: list[str] = []
    original = server.httpd.RequestHandlerClass.answer

    def recording(handler, body):
        seen.append(handler.headers.get("User-Agent", ""))
        original(handler, body)

    server.httpd.RequestHandlerClass.answer = recording
    site = one_source_site(tmp_path, f"{server.base}/ok")
    check_links(site, FAST)
    assert seen and seen[0].startswith(f"digest/{__version__} (link checker; python-httpx/")


def test_answers_are_cached_for_a_day_then_asked_again(tmp_path, server, closed_port):
    site = linked_site(tmp_path, server.base, closed_port)
    now = [1_000_000.0]
    first = check_links(site, FAST, clock=lambda: now[0])
    requests_after_first = sum(server.requests.values())
    now[0] += 23 * 3600  # within a day: nothing is requested, the same warnings come back
    second = check_links(site, FAST, clock=lambda: now[0])
    assert sum(server.requests.values()) == requests_after_first
    assert (second.checked, second.from_cache) == (10, 10)
    assert second.diagnostics == first.diagnostics
    now[0] += 2 * 3600  # a day after the first check: every URL is requested again
    third = check_links(site, FAST, clock=lambda: now[0])
    assert third.from_cache == 0
    assert server.requests[("HEAD", "/broken")] == 2
    assert third.diagnostics == first.diagnostics


def test_a_second_run_of_the_command_makes_no_request(tmp_path, server):
    site = one_source_site(tmp_path, f"{server.base}/missing")
    first = run("--source", str(site), "--links")
    assert server.count("/missing") == 1
    second = run("--source", str(site), "--links")
    assert server.count("/missing") == 1
    assert second.stdout == first.stdout and second.exit_code == first.exit_code == 0
    assert second.stderr.splitlines()[-1] == "links: 1 checked (0 requested, 1 from the cache), 1 dead"


def test_a_new_url_is_checked_while_the_others_come_from_the_cache(tmp_path, server):
    site = one_source_site(tmp_path, f"{server.base}/ok")
    check_links(site, FAST)
    (site / "content/articles/a.md").write_text(
        f"---\ntitle: A\ndate: 2026-02-04\nsource: wire\n---\n\n[Gone]({server.base}/missing).\n", encoding="utf-8")
    report = check_links(site, FAST)
    assert (report.checked, report.from_cache, report.dead) == (2, 1, 1)
    assert server.count("/ok") == 1 and server.count("/missing") == 1


def test_storing_answers_leaves_the_build_with_nothing_to_do(tmp_path, server):
    site = one_source_site(tmp_path, f"{server.base}/ok")
    build(site, site / "public")
    check_links(site, FAST)
    assert server.count("/ok") == 1
    again = build(site, site / "public")
    assert (again.rendered, again.written) == (0, 0)


def test_plain_check_makes_no_request(tmp_path, server, closed_port):
    site = linked_site(tmp_path, server.base, closed_port)
    result = run("--source", str(site))
    assert result.exit_code == 0, result.output
    assert server.requests == Counter()
    assert result.stderr == "0 errors, 0 warnings\n"
    with sqlite3.connect(site / ".digest-cache" / "store.sqlite") as db:  # the articles' results, no link answers
        assert db.execute("SELECT COUNT(*) FROM blobs WHERE name LIKE 'link:%'").fetchone() == (0,)


def test_a_server_asking_to_slow_down_is_asked_again_after_its_retry_after(tmp_path, server):
    site = one_source_site(tmp_path, f"{server.base}/busy-once")
    report = check_links(site, FAST)
    assert server.requests[("HEAD", "/busy-once")] == 2
    assert (report.dead, report.rate_limited, report.diagnostics) == (0, (), ())


def test_a_link_still_rate_limited_is_neither_dead_nor_cached(tmp_path, server):
    site = one_source_site(tmp_path, f"{server.base}/busy")
    result = run("--source", str(site), "--links", "--strict")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "0 errors, 0 warnings",
        f"note: {server.base}/busy was not checked: HTTP 429 Too Many Requests (the server asks for fewer "
        "requests; it is asked again next time)",
        "links: 1 checked (1 requested, 0 from the cache), 0 dead, 1 not checked",
    ]
    assert server.count("/busy") == 2  # asked once more after Retry-After
    run("--source", str(site), "--links")
    assert server.count("/busy") == 4  # not cached: asked again


def test_github_and_json_formats_carry_the_link_warnings(tmp_path, server, closed_port):
    site = linked_site(tmp_path, server.base, closed_port)
    github = run("--source", str(site), "--links", "--link-timeout", "1", "--format", "github")
    assert github.stdout.splitlines()[0] == (
        f"::warning file=content/articles/call.md,line=7,col=31::link {server.base}/missing is dead: "
        "HTTP 404 Not Found; no archived copy is linked")
    assert len(github.stdout.splitlines()) == 11
    as_json = json.loads(run("--source", str(site), "--links", "--format", "json").stdout)
    assert as_json[-1] == {"path": "content/sources.yaml", "line": 8, "column": 8, "severity": "warning",
                           "message": f"URL {server.base}/missing of source 'board' is dead: HTTP 404 Not Found; "
                                      "no archived copy is linked"}
    assert [(d["path"], d["line"], d["column"]) for d in as_json] == sorted((d["path"], d["line"], d["column"]) for d in as_json)


def test_the_output_is_the_same_on_every_run(tmp_path, server, closed_port):
    site = linked_site(tmp_path, server.base, closed_port)
    first = run("--source", str(site), "--links", "--link-timeout", "1", "--format", "json").stdout
    shutil.rmtree(site / ".digest-cache")
    again = run("--source", str(site), "--links", "--link-timeout", "1", "--format", "json").stdout
    assert first == again


def test_content_errors_are_reported_and_links_are_not_checked(tmp_path, server):
    site = one_source_site(tmp_path, f"{server.base}/ok\n  colour: red")
    result = run("--source", str(site), "--links")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "content/sources.yaml:4:3: error: unknown key 'colour' in source",
        "1 error, 0 warnings",
        "links were not checked: the content has errors (above)",
    ]
    assert server.requests == Counter()


def test_a_slow_page_takes_no_longer_than_the_timeout(tmp_path, server):
    site = one_source_site(tmp_path, f"{server.base}/slow")
    started = time.monotonic()
    report = check_links(site, LinkCheckSettings(connect_timeout=0.5, total_timeout=0.5))
    assert time.monotonic() - started < SLOW_SECONDS - 1
    assert [d.message for d in report.diagnostics] == [
        f"URL {server.base}/slow of source 'wire' is dead: no answer within 0.5 s; no archived copy is linked"]


def test_links_are_checked_even_where_an_event_loop_already_runs(tmp_path, server):
    # Playwright's sync API (the browser tests) or a notebook keeps a loop running in the calling thread
    site = one_source_site(tmp_path, f"{server.base}/missing")

    async def inside_a_loop():
        return check_links(site, FAST)

    # the loop runs in a thread of its own: this test's thread may already run one (the browser tests')
    reports = []
    caller = threading.Thread(target=lambda: reports.append(asyncio.run(inside_a_loop())))
    caller.start()
    caller.join(timeout=30)
    report, = reports
    assert [d.message for d in report.diagnostics] == [
        f"URL {server.base}/missing of source 'wire' is dead: HTTP 404 Not Found; no archived copy is linked"]
