"""`digest serve`: build into a temporary folder, serve it on loopback, rebuild on change, reload pages.

The main thread watches and rebuilds; a ThreadingHTTPServer answers requests on other
threads, each open page holding one server-sent-events connection. The reload script and
the error overlay are put into HTML as it is served: the built files never contain them.
"""

from __future__ import annotations

import errno
import html
import json
import mimetypes
import posixpath
import queue
import secrets
import shutil
import signal
import socket
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote, urlsplit


from .build import Summary, build
from .stages.diagnostics import ContentErrors, Diagnostic, Location, SearchUnavailable
from .stages.theme import PACKAGE_DIR
from .terminal import Verbosity, say, say_diagnostic
from .watch import affects_build, site_changes, watched_folders

LIVE_PREFIX = "/__digest__/"
LIVE_SCRIPT = PACKAGE_DIR / "live.js"
KEEPALIVE_SECONDS = 15.0


class ServeError(Exception):
    """The server cannot start: the port is taken, or the host cannot be bound."""


@dataclass(frozen=True)
class BuildOutcome:
    summary: Summary | None  # None when the build failed; its warnings otherwise
    errors: tuple[Diagnostic, ...]  # why it failed
    seconds: float


class LiveSite:
    """The served folder, the last build's errors, and the pages listening for news of the next build."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._server_id = secrets.token_hex(4)  # new per server, so a restarted server reloads open pages
        self._builds = 0
        self.errors: tuple[Diagnostic, ...] = ()
        self.idle = threading.Event()  # cleared while a build may be swapping the folder
        self.idle.set()
        self._listeners: set[queue.Queue] = set()
        self._lock = threading.Lock()

    @property
    def generation(self) -> str:
        """Names the build a page was served from; a page that hears of another one reloads."""
        return f"{self._server_id}-{self._builds}"

    def listen(self) -> queue.Queue:
        listener: queue.Queue = queue.Queue()
        with self._lock:
            self._listeners.add(listener)
        return listener

    def forget(self, listener: queue.Queue) -> None:
        with self._lock:
            self._listeners.discard(listener)

    def publish(self, event: str | None, data: dict | None = None) -> None:
        """Send one event to every open page; None tells them all to hang up."""
        with self._lock:
            for listener in self._listeners:
                listener.put(None if event is None else (event, data or {}))

    def record(self, outcome: BuildOutcome) -> None:
        """Take a finished build's news to the open pages."""
        self.errors = outcome.errors
        if outcome.summary is None:
            self.publish("errors", {"overlay": overlay_html(self.errors)})
        else:
            self._builds += 1
            self.publish("reload", {"generation": self.generation, "changed": list(outcome.summary.changed_paths)})


def rebuild(root: Path, out: Path, include_drafts: bool) -> BuildOutcome:
    """Build the site into the served folder, turning what an author can get wrong into errors to show.

    A full `build()` today; incremental builds will make it cheaper without changing this call.
    """
    started = time.perf_counter()
    try:
        summary = build(root, out, include_drafts=include_drafts)
    except ContentErrors as errors:
        return BuildOutcome(None, errors.diagnostics, time.perf_counter() - started)
    except SearchUnavailable as missing:  # an install problem, not a bug: say what to do
        return BuildOutcome(None, (Diagnostic(Location(str(root), 1), str(missing)),), time.perf_counter() - started)
    except Exception as error:  # a bug in digest: keep serving the last good build, and show the traceback
        traceback.print_exc()
        crash = Diagnostic(Location(str(root), 1), f"digest failed with {type(error).__name__}: {error}. "
                                                   "This is a bug; the traceback is in the terminal.")
        return BuildOutcome(None, (crash,), time.perf_counter() - started)
    return BuildOutcome(summary, (), time.perf_counter() - started)


def overlay_html(errors: Iterable[Diagnostic]) -> str:
    """The box of located errors shown over every page until the next build succeeds."""
    lines = "\n".join(html.escape(str(d)) for d in errors)
    if not lines:
        return ""
    return ('<div id="digest-errors" role="alert" style="position:fixed;inset:auto 0 0 0;max-height:60vh;'
            'overflow:auto;z-index:2147483647;margin:0;padding:1em 1.25em;background:#2b0b0e;color:#ffe4e6;'
            'border-top:4px solid #e11d48;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;text-align:left">'
            '<p style="margin:0 0 .5em;font-weight:bold">digest serve: the last change did not build. '
            'The page shows the last good build until these are fixed.</p>'
            f'<pre style="margin:0;white-space:pre-wrap">{lines}</pre></div>')


class PreviewHandler(BaseHTTPRequestHandler):
    """Files of the served folder with pretty URLs, plus the live-reload script and event stream."""

    site: LiveSite  # set on a subclass per server
    verbose: bool = False
    server_version = "digest-serve"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def log_message(self, format: str, *args: object) -> None:
        if self.verbose:
            say(f"  {self.address_string()} {format % args}", err=True)

    def _answer(self, with_body: bool) -> None:
        url_path = unquote(urlsplit(self.path).path)
        if url_path == LIVE_PREFIX + "events":
            return self._stream_events() if with_body else self._send(HTTPStatus.OK, "text/event-stream", b"", False)
        if url_path == LIVE_PREFIX + "live.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_SCRIPT.read_bytes(), with_body)
        target = self._locate(url_path)
        if target is None and not self.site.idle.is_set():
            self.site.idle.wait(60)  # the folder may be mid-swap: ask again once the build is done
            target = self._locate(url_path)
        if isinstance(target, str):
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        if target is None:
            return self._send_missing(url_path, with_body)
        data = target.read_bytes()
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type == "text/html":
            data = self._with_live_script(data)
        if content_type.startswith("text/") or content_type in ("application/javascript", "image/svg+xml"):
            content_type += "; charset=utf-8"
        self._send(HTTPStatus.OK, content_type, data, with_body)

    def _locate(self, url_path: str) -> Path | str | None:
        """The file a URL path names, a redirect (a folder without its slash), or None."""
        parts = [part for part in url_path.split("/") if part]
        if any(part in (".", "..") or "\\" in part or "\x00" in part for part in parts):
            return None
        out = self.site.out.resolve() if self.site.out.exists() else self.site.out
        path = out.joinpath(*parts)
        if path.is_dir():
            if not url_path.endswith("/"):
                query = urlsplit(self.path).query
                return posixpath.join(url_path, "") + (f"?{query}" if query else "")
            path = path / "index.html"
        try:
            if path.is_file() and path.resolve().is_relative_to(out):
                return path
        except OSError:
            pass
        return None

    def _send_missing(self, url_path: str, with_body: bool) -> None:
        """The site's own 404.html if it has one, else a short page; both reload once the page exists."""
        custom = self.site.out / "404.html"
        if custom.is_file():
            page = custom.read_bytes()
        else:
            status_line = "The site could not be built." if self.site.errors else f"Nothing at {url_path}."
            page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
                    f'<body><h1>Not found</h1><p>{html.escape(status_line)}</p><p><a href="/">Home</a></p>'
                    f'</body></html>').encode("utf-8")
        self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", self._with_live_script(page), with_body)

    def _with_live_script(self, page: bytes) -> bytes:
        """The page with the reload script and any error overlay put before </body>."""
        snippet = (overlay_html(self.site.errors) +
                   f'<script src="{LIVE_PREFIX}live.js" data-generation="{self.site.generation}"></script>')
        position = page.lower().rfind(b"</body>")
        position = len(page) if position < 0 else position
        return page[:position] + snippet.encode("utf-8") + page[position:]

    def _send(self, status: HTTPStatus, content_type: str, data: bytes, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")  # a reload must fetch the rebuilt file
        self.end_headers()
        if with_body:
            self.wfile.write(data)

    def _stream_events(self) -> None:
        """Server-sent events for one page, until it goes away or the server stops."""
        listener = self.site.listen()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self._event("hello", {"generation": self.site.generation, "overlay": overlay_html(self.site.errors)})
            while True:
                try:
                    message = listener.get(timeout=KEEPALIVE_SECONDS)
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
                    continue
                if message is None:
                    return
                self._event(*message)
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            self.site.forget(listener)
            self.close_connection = True

    def _event(self, name: str, data: dict) -> None:
        self.wfile.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode("utf-8"))
        self.wfile.flush()


def start_server(site: LiveSite, host: str, port: int, verbose: bool) -> ThreadingHTTPServer:
    """Bind and start answering on a background thread; ServeError if the address cannot be used."""
    handler = type("Handler", (PreviewHandler,), {"site": site, "verbose": verbose})
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        server = type("Server", (ThreadingHTTPServer,), {"address_family": family})((host, port), handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} is already in use on {host}: stop the other server, "
                             f"or choose another port with --port") from None
        raise ServeError(f"cannot serve on {host}:{port}: {error.strerror or error}") from None
    server.daemon_threads = True  # an open event stream must not keep the process alive
    threading.Thread(target=server.serve_forever, name="digest-serve", daemon=True).start()
    return server


def serve(root: Path, host: str, port: int, include_drafts: bool, verbosity: Verbosity) -> None:
    """Build, serve and rebuild on change until Ctrl-C (or SIGTERM); then stop cleanly."""
    workspace = Path(tempfile.mkdtemp(prefix="digest-serve-"))
    site = LiveSite(workspace / "site")
    stop = threading.Event()
    # Ctrl-C and SIGTERM stop the server even when SIGINT was ignored at start (a background job
    # of a script, some CI runners): Python installs no KeyboardInterrupt handler then.
    previous_handlers = {number: signal.signal(number, _interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
    server = None
    try:
        site.idle.clear()  # requests wait for the first build
        server = start_server(site, host, port, verbose=verbosity == Verbosity.VERBOSE)  # fails fast: port taken
        bound_host, bound_port = server.server_address[:2]
        try:
            outcome = rebuild(root, site.out, include_drafts)
            site.record(outcome)
        finally:
            site.idle.set()
        _tell_outcome(outcome, verbosity, first=True)
        warnings_shown = outcome.summary.warnings if outcome.summary else ()

        def announce() -> None:
            if verbosity >= Verbosity.VERBOSE:
                say(f"  watching {', '.join(str(f) for f in watched_folders(root))}; building into {site.out}")
            say(f"serving http://{_url_host(bound_host)}:{bound_port}/  (Ctrl-C to stop)", fg="green", bold=True)

        for changed in site_changes(root, stop, on_watching=announce):
            if verbosity >= Verbosity.VERBOSE:
                say(f"  changed: {', '.join(sorted(str(p) for p in changed))}")
            if not any(affects_build(path, root) for path in changed):
                continue  # nothing the build reads
            was_broken = bool(site.errors)
            site.idle.clear()
            try:
                outcome = rebuild(root, site.out, include_drafts)
                site.record(outcome)
            finally:
                site.idle.set()
            _tell_outcome(outcome, verbosity, first=False, was_broken=was_broken, warnings_shown=warnings_shown)
            warnings_shown = outcome.summary.warnings if outcome.summary else warnings_shown
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        site.publish(None)
        if server is not None:
            server.shutdown()
            server.server_close()
        for number, handler in previous_handlers.items():
            signal.signal(number, handler)
        shutil.rmtree(workspace, ignore_errors=True)
    if verbosity >= Verbosity.NORMAL:
        say("stopped")


def _tell_outcome(outcome: BuildOutcome, verbosity: Verbosity, first: bool, was_broken: bool = False,
                  warnings_shown: tuple[Diagnostic, ...] = ()) -> None:
    """The terminal's account of a build: errors always, new warnings, and a line per build unless --quiet."""
    if outcome.summary is None:
        for diagnostic in outcome.errors:
            say_diagnostic(diagnostic)
        count = len(outcome.errors)
        say(f"{count} error{'s' if count != 1 else ''}; "
            f"{'nothing to serve until they are fixed' if first else 'pages show them until they are fixed'}",
            err=True)
        return
    summary = outcome.summary
    if summary.warnings != warnings_shown or first:  # not the same list again after every save
        for warning in summary.warnings:
            say_diagnostic(warning)
    if verbosity < Verbosity.NORMAL:
        return
    warnings = f", {len(summary.warnings)} warning{'s' if len(summary.warnings) != 1 else ''}" if summary.warnings else ""
    if first:
        say(f"built {summary.pages} pages from {summary.articles} article{'s' if summary.articles != 1 else ''} "
            f"in {outcome.seconds:.2f} s{warnings}")
    else:
        fixed = "fixed; " if was_broken else ""
        say(f"{fixed}rebuilt in {outcome.seconds:.2f} s: {summary.pages_changed} of {summary.pages} pages changed"
            f"{warnings}", fg="green" if was_broken else None)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt

