"""`digest serve`: build into a temporary folder, serve it on loopback, rebuild on change, reload pages.

The main thread watches and rebuilds; uvicorn serves a Starlette app on another thread: the
site's files with pretty URLs, an event stream per open page (server-sent events), and, where
editing is on, the annotation editor's JSON API (annotate/editor.py). The reload script, the error
overlay and the editor are put into HTML as it is served: the built files never contain them.
"""

from __future__ import annotations

import asyncio
import errno
import html
import json
import mimetypes
import posixpath
import re
import secrets
import shutil
import signal
import socket
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, Iterable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from .annotate.editor import Editor, editor_routes, editor_snippet
from .build import Summary, build
from .progress import NoProgress
from .stages.diagnostics import ContentErrors, Diagnostic, Location, SearchUnavailable
from .stages.theme import PACKAGE_DIR
from .terminal import Verbosity, say, say_diagnostic
from .watch import affects_build, site_changes, watched_folders

LIVE_PREFIX = "/__digest__/"
LIVE_SCRIPT = PACKAGE_DIR / "live.js"
KEEPALIVE_SECONDS = 15.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_ARTICLE_PAGE = re.compile(r"^/articles/([a-z0-9]+(?:-[a-z0-9]+)*)/(?:index\.html)?$")


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
        self._listeners: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]] = set()
        self._lock = threading.Lock()

    @property
    def generation(self) -> str:
        """Names the build a page was served from; a page that hears of another one reloads."""
        return f"{self._server_id}-{self._builds}"

    def listen(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Queue]:
        """A queue for one open page, fed from the building thread (called on the server's loop)."""
        listener = (asyncio.get_running_loop(), asyncio.Queue())
        with self._lock:
            self._listeners.add(listener)
        return listener

    def forget(self, listener: tuple[asyncio.AbstractEventLoop, asyncio.Queue]) -> None:
        with self._lock:
            self._listeners.discard(listener)

    def publish(self, event: str | None, data: dict | None = None) -> None:
        """Send one event to every open page; None tells them all to hang up."""
        message = None if event is None else (event, data or {})
        with self._lock:
            for loop, listener in self._listeners:
                try:
                    loop.call_soon_threadsafe(listener.put_nowait, message)
                except RuntimeError:  # that page's loop has stopped: the server is going away
                    pass

    def record(self, outcome: BuildOutcome) -> None:
        """Take a finished build's news to the open pages."""
        self.errors = outcome.errors
        if outcome.summary is None:
            self.publish("errors", {"overlay": overlay_html(self.errors)})
        else:
            self._builds += 1
            self.publish("reload", {"generation": self.generation, "changed": list(outcome.summary.changed_paths)})


class _WaitingSaid(NoProgress):
    """A preview rebuild is quiet, but one that waits for another build says so: it would seem hung."""

    def waiting(self, holder: str) -> None:
        say(f"waiting for another build of this site to finish ({holder})…", err=True)


_WAITING_SAID = _WaitingSaid()


def rebuild(root: Path, out: Path, include_drafts: bool) -> BuildOutcome:
    """Build the site into the served folder (an incremental build()), turning what an author can get
    wrong into errors to show."""
    started = time.perf_counter()
    try:
        summary = build(root, out, include_drafts=include_drafts, progress=_WAITING_SAID)
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


def preview_app(site: LiveSite, editor: Editor | None, verbose: bool = False) -> Starlette:
    """The preview: the served folder's files, the live-reload script and events, and the editor's API."""

    async def live_script(request: Request) -> Response:
        return Response(LIVE_SCRIPT.read_bytes(), media_type="text/javascript; charset=utf-8", headers=_NO_STORE)

    async def events(request: Request) -> Response:
        headers = {**_NO_STORE, "Content-Type": "text/event-stream; charset=utf-8"}
        if request.method == "HEAD":
            return Response(b"", headers=headers)
        return StreamingResponse(_event_stream(site), headers=headers)

    def page(request: Request) -> Response:  # a plain function: Starlette runs it on a worker thread
        url_path = request.url.path
        target = locate(site.out, url_path, request.url.query)
        if target is None and not site.idle.is_set():
            site.idle.wait(60)  # the folder may be mid-swap: ask again once the build is done
            target = locate(site.out, url_path, request.url.query)
        if isinstance(target, str):
            return RedirectResponse(target, status_code=301, headers={"Content-Length": "0"})
        if target is None:
            return _missing(site, url_path, _snippet(site, editor, request, None))
        data = target.read_bytes()
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if content_type == "text/html":
            article = _ARTICLE_PAGE.match(url_path)
            data = with_snippet(data, _snippet(site, editor, request, article.group(1) if article else None))
        if content_type.startswith("text/") or content_type in ("application/javascript", "image/svg+xml"):
            content_type += "; charset=utf-8"
        return Response(data, headers={**_NO_STORE, "Content-Type": content_type})

    routes = [Route(LIVE_PREFIX + "events", events), Route(LIVE_PREFIX + "live.js", live_script)]
    if editor is not None:
        routes += editor_routes(editor)
    routes.append(Route("/{path:path}", page, methods=["GET", "HEAD"]))
    app = Starlette(routes=routes)
    return _RequestLog(app) if verbose else app  # type: ignore[return-value]


_NO_STORE = {"Cache-Control": "no-store"}  # a reload must fetch the rebuilt file


async def _event_stream(site: LiveSite) -> AsyncIterator[bytes]:
    """Server-sent events for one page, until it goes away or the server stops."""
    listener = site.listen()
    try:
        yield _event("hello", {"generation": site.generation, "overlay": overlay_html(site.errors)})
        while True:
            try:
                message = await asyncio.wait_for(listener[1].get(), KEEPALIVE_SECONDS)
            except asyncio.TimeoutError:
                yield b": keep-alive\n\n"
                continue
            if message is None:
                return
            yield _event(*message)
    finally:
        site.forget(listener)


def _event(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode("utf-8")


def locate(out: Path, url_path: str, query: str = "") -> Path | str | None:
    """The file a URL path names, a redirect (a folder without its slash), or None."""
    parts = [part for part in url_path.split("/") if part]
    if any(part in (".", "..") or "\\" in part or "\x00" in part for part in parts):
        return None
    root = out.resolve() if out.exists() else out
    path = root.joinpath(*parts)
    if path.is_dir():
        if not url_path.endswith("/"):
            return posixpath.join(url_path, "") + (f"?{query}" if query else "")
        path = path / "index.html"
    try:
        if path.is_file() and path.resolve().is_relative_to(root):
            return path
    except OSError:
        pass
    return None


def _missing(site: LiveSite, url_path: str, snippet: str) -> Response:
    """The site's own 404.html if it has one, else a short page; both reload once the page exists."""
    custom = site.out / "404.html"
    if custom.is_file():
        page = custom.read_bytes()
    else:
        status_line = "The site could not be built." if site.errors else f"Nothing at {url_path}."
        page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>'
                f'<body><h1>Not found</h1><p>{html.escape(status_line)}</p><p><a href="/">Home</a></p>'
                f'</body></html>').encode("utf-8")
    return Response(with_snippet(page, snippet), status_code=404,
                    headers={**_NO_STORE, "Content-Type": "text/html; charset=utf-8"})


def _snippet(site: LiveSite, editor: Editor | None, request: Request, article_slug: str | None) -> str:
    """What goes before </body>: the error overlay, the reload script, and on an article page the editor."""
    snippet = (overlay_html(site.errors) +
               f'<script src="{LIVE_PREFIX}live.js" data-generation="{site.generation}"></script>')
    if editor is not None and article_slug is not None:
        snippet += editor_snippet(editor, request, article_slug)
    return snippet


def with_snippet(page: bytes, snippet: str) -> bytes:
    """The page with `snippet` put before </body>."""
    position = page.lower().rfind(b"</body>")
    position = len(page) if position < 0 else position
    return page[:position] + snippet.encode("utf-8") + page[position:]


class _RequestLog:
    """-v: one line per request, as the terminal shows everything else."""

    def __init__(self, app: Starlette) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        status = []

        async def sending(message) -> None:  # type: ignore[no-untyped-def]
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client") or ("-", 0)
            say(f"  {client[0]} \"{scope['method']} {scope['path']}\" {status[0] if status else '-'}", err=True)


@dataclass
class RunningServer:
    """uvicorn on its own thread, on a socket bound beforehand (so a taken port fails fast)."""

    server: uvicorn.Server
    thread: threading.Thread
    address: tuple[str, int]

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; ServeError if the address cannot be used."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} is already in use on {host}: stop the other server, "
                             f"or choose another port with --port") from None
        raise ServeError(f"cannot serve on {host}:{port}: {error.strerror or error}") from None
    return sock


def start_server(app: Starlette, sock: socket.socket) -> RunningServer:
    """Start answering on a background thread."""
    config = uvicorn.Config(app, log_config=None, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2, server_header=False, date_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="digest-serve", daemon=True)
    thread.start()
    return RunningServer(server, thread, sock.getsockname()[:2])

def serve(root: Path, host: str, port: int, include_drafts: bool, verbosity: Verbosity, editing: bool = True) -> None:
    """Build, serve and rebuild on change until Ctrl-C (or SIGTERM); then stop cleanly.

    With `editing`, article pages offer the annotation editor (annotate/editor.py).
    """
    workspace = Path(tempfile.mkdtemp(prefix="digest-serve-"))
    site = LiveSite(workspace / "site")
    stop = threading.Event()
    # Ctrl-C and SIGTERM stop the server even when SIGINT was ignored at start (a background job
    # of a script, some CI runners): Python installs no KeyboardInterrupt handler then.
    previous_handlers = {number: signal.signal(number, _interrupt) for number in (signal.SIGINT, signal.SIGTERM)}
    server = None
    try:
        site.idle.clear()  # requests wait for the first build
        sock = bind(host, port)  # fails fast: port taken
        bound_host, bound_port = sock.getsockname()[:2]
        editor = Editor.for_address(root, host, bound_port, secrets.token_urlsafe(32)) if editing else None
        server = start_server(preview_app(site, editor, verbose=verbosity == Verbosity.VERBOSE), sock)
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
            server.stop()
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

