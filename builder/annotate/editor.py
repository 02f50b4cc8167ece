"""The preview's annotation editor: its script on article pages, and the JSON API it writes through.

Everything a browser sends is untrusted. Every API request needs the session's token (put only
into pages served under the server's own Host) and a Host the server answers to; a write also
needs the server's own Origin, a JSON body of at most MAX_BODY bytes with exactly the expected
fields, and an article slug and ids of the format's patterns. Anything else gets a 4xx and
touches nothing. Writes go through writer.py, which refuses what would not build.
"""

from __future__ import annotations

import html
import json
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..stages.content import ARTICLES_DIR, load_registries
from ..stages.diagnostics import Diagnostic, Location
from ..stages.shapes import CAVEAT_KINDS, ID_PATTERN, SLUG_PATTERN
from .document import NewCaveat, NewClaim, VerdictChange
from .selectors import ArticleText, Unplaceable, place_quote
from .writer import WriteRefused, current_article, edit_annotations, known_sources, today

PREFIX = "/__digest__/"
API = PREFIX + "api/articles/"
ASSETS = {"annotate.js": "text/javascript; charset=utf-8", "annotate.css": "text/css; charset=utf-8"}
ASSET_DIR = Path(__file__).resolve().parent
TOKEN_HEADER = "x-digest-token"
MAX_BODY = 64 * 1024  # bytes: a claim with a long note is a few kB
WILDCARD_HOSTS = ("0.0.0.0", "::", "")

# Each write's fields: name -> (type, longest, required). Lists hold ids (strings).
_TEXT, _IDS = str, list
CLAIM_FIELDS = {"exact": (_TEXT, 2000, True), "prefix": (_TEXT, 1000, False), "suffix": (_TEXT, 1000, False),
                "claim": (_TEXT, 2000, False), "claimant": (_TEXT, 300, False), "status": (_TEXT, 100, True),
                "sources": (_IDS, 50, True), "topics": (_IDS, 50, False), "note": (_TEXT, 20000, False)}
CAVEAT_FIELDS = {"exact": (_TEXT, 2000, False), "prefix": (_TEXT, 1000, False), "suffix": (_TEXT, 1000, False),
                 "kind": (_TEXT, 50, True), "text": (_TEXT, 20000, True), "claims": (_IDS, 100, False),
                 "sources": (_IDS, 50, False), "noted_by": (_IDS, 50, False)}
VERDICT_FIELDS = {"status": (_TEXT, 100, True), "note": (_TEXT, 5000, False)}


@dataclass(frozen=True)
class Editor:
    root: Path
    token: str  # new for every server: a page from an earlier session cannot write
    hosts: frozenset[str]  # the Host header values the editor answers to, lowercase

    @classmethod
    def for_address(cls, root: Path, host: str, port: int, token: str) -> "Editor":
        """The loopback names, and the address it was asked to serve on (a wildcard: this machine's names)."""
        names = {"127.0.0.1", "localhost", "[::1]"}
        if host in WILDCARD_HOSTS:
            names |= {socket.gethostname().lower(), socket.getfqdn().lower()}
        elif host not in ("127.0.0.1", "localhost", "::1"):
            names.add(f"[{host.lower()}]" if ":" in host else host.lower())
        hosts = {f"{name}:{port}" for name in names} | (names if port == 80 else set())
        return cls(root.resolve(), token, frozenset(hosts))

    def host_allowed(self, request: Request) -> bool:
        return request.headers.get("host", "").lower() in self.hosts

    def refusal(self, request: Request, write: bool) -> Response | None:
        """Why this request may not use the API (a 4xx response), or None."""
        if not self.host_allowed(request):
            return _error(403, "this preview does not edit for that Host")
        if write:
            host = request.headers["host"].lower()
            if request.headers.get("origin", "").lower() != f"http://{host}":
                return _error(403, "write requests must come from the preview's own pages (Origin)")
            if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
                return _error(403, "write requests must come from the preview's own pages")
        if not secrets.compare_digest(request.headers.get(TOKEN_HEADER, "").encode(), self.token.encode()):
            return _error(403, "missing or wrong editing token: reload the page")
        return None


def editor_snippet(editor: Editor, request: Request, slug: str) -> str:
    """The editor's stylesheet and script for an article page, if this request may edit."""
    if not editor.host_allowed(request):
        return ""
    return (f'<link rel="stylesheet" href="{PREFIX}annotate.css">'
            f'<script src="{PREFIX}annotate.js" data-token="{html.escape(editor.token)}" '
            f'data-api="{html.escape(API + slug + "/")}" defer></script>')


def editor_routes(editor: Editor) -> list[Route]:
    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            return _error(404, "no such file")
        return Response((ASSET_DIR / name).read_bytes(), headers={"Content-Type": ASSETS[name], "Cache-Control": "no-store"})

    def guarded(write: bool, handler: Callable[..., Any], fields: dict | None = None) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            refused = editor.refusal(request, write)
            if refused is not None:
                return refused
            slug = request.path_params["slug"]
            claim_id = request.path_params.get("claim_id")
            if not SLUG_PATTERN.match(slug) or (claim_id is not None and not ID_PATTERN.match(claim_id)):
                return _error(404, "no such article or claim")
            if not (editor.root / ARTICLES_DIR / f"{slug}.md").is_file():
                return _error(404, f"no article '{slug}'")
            body: dict = {}
            if write:
                body_or_error = await _json_body(request, fields or {})
                if isinstance(body_or_error, Response):
                    return body_or_error
                body = body_or_error
            args = (editor.root, slug, body) if claim_id is None else (editor.root, slug, claim_id, body)
            return await run_in_threadpool(handler, *args)
        return endpoint

    return [
        Route(PREFIX + "{name:str}", asset, methods=["GET"]),
        Route(API + "{slug:str}/form", guarded(False, form_data), methods=["GET"]),
        Route(API + "{slug:str}/claims", guarded(True, add_claim, CLAIM_FIELDS), methods=["POST"]),
        Route(API + "{slug:str}/caveats", guarded(True, add_caveat, CAVEAT_FIELDS), methods=["POST"]),
        Route(API + "{slug:str}/claims/{claim_id:str}/verdict", guarded(True, change_verdict, VERDICT_FIELDS),
              methods=["POST"]),
    ]


def form_data(root: Path, slug: str, body: dict) -> Response:
    """What the form offers: the status scale, sources, topics, caveat kinds and claimants, the article's claims."""
    registries = load_registries(root)
    try:
        article = current_article(root, slug)
    except WriteRefused as refused:
        return _refused(refused.diagnostics)
    if registries.config is None or any(d.severity == "error" for d in registries.diagnostics):
        return _error(422, "the site's config, sources or topics do not load: see the errors in the terminal")
    return JSONResponse({
        "statuses": [{"id": s.id, "label": s.label} for s in registries.config.statuses],
        "sources": [{"id": s.id, "name": s.name} for s in known_sources(root, article, registries.sources)],
        "topics": [{"id": t.id, "title": t.title} for t in registries.topics],
        "kinds": list(CAVEAT_KINDS),
        "claims": [{"id": c.id, "label": c.claim or c.selector.quote, "status": c.status.id} for c in article.claims],
        # The names claims already use, and the registered claimants' names: choosing one keeps pages together.
        "claimants": sorted({c.claimant for c in article.claims if c.claimant}
                            | {c.name for c in registries.claimants}),
    })


def add_claim(root: Path, slug: str, body: dict) -> Response:
    def edit(document, article):  # type: ignore[no-untyped-def]
        selector = place_quote(ArticleText.of(article), body["exact"], body.get("prefix", ""), body.get("suffix", ""))
        return document.add_claim(NewClaim(selector, body["status"], tuple(body["sources"]), claim=body.get("claim", ""),
                                           claimant=body.get("claimant", ""), topics=tuple(body.get("topics", ())),
                                           note=body.get("note", "")))
    return _write(root, slug, edit, "claim")


def add_caveat(root: Path, slug: str, body: dict) -> Response:
    def edit(document, article):  # type: ignore[no-untyped-def]
        selector = None
        if body.get("exact", "").strip():
            selector = place_quote(ArticleText.of(article), body["exact"], body.get("prefix", ""), body.get("suffix", ""))
        return document.add_caveat(NewCaveat(body["kind"], body["text"], selector, claims=tuple(body.get("claims", ())),
                                             sources=tuple(body.get("sources", ())),
                                             noted_by=tuple(body.get("noted_by", ()))))
    return _write(root, slug, edit, "caveat")


def change_verdict(root: Path, slug: str, claim_id: str, body: dict) -> Response:
    def edit(document, article):  # type: ignore[no-untyped-def]
        if document.entry("claims", claim_id) is None:
            raise WriteRefused([Diagnostic(Location(f"content/articles/{slug}.yaml", 1), f"no claim '{claim_id}' in this file")])
        document.change_verdict(VerdictChange(claim_id, body["status"], today(), body.get("note", "")), article.date)
        return claim_id
    return _write(root, slug, edit, "claim")


def _write(root: Path, slug: str, edit: Callable, kind: str) -> Response:
    try:
        written = edit_annotations(root, slug, edit)
    except WriteRefused as refused:
        return _refused(refused.diagnostics)
    except Unplaceable as unplaceable:
        return _refused([Diagnostic(Location(f"content/articles/{slug}.md", unplaceable.line), unplaceable.message)])
    entry_id = str(written.result)
    return JSONResponse({"id": entry_id, "note": f"{kind}-{entry_id}", "path": written.path, "changed": written.changed},
                        status_code=201 if written.changed else 200)


async def _json_body(request: Request, fields: dict) -> dict | Response:
    """The request's JSON object, checked against `fields`, or the 4xx that says what is wrong."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        return _error(415, "send JSON (Content-Type: application/json)")
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return _error(413, f"the request is larger than {MAX_BODY} bytes")
    received = bytearray()
    async for chunk in request.stream():
        received += chunk
        if len(received) > MAX_BODY:
            return _error(413, f"the request is larger than {MAX_BODY} bytes")
    try:
        data = json.loads(received.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as error:
        return _error(400, f"not valid JSON: {error}")
    if not isinstance(data, dict):
        return _error(400, "send a JSON object")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        return _error(400, f"unknown field {unknown[0]!r}")
    for name, (kind, longest, required) in fields.items():
        if name not in data:
            if required:
                return _error(400, f"missing field {name!r}")
            continue
        value = data[name]
        if kind is str and not (isinstance(value, str) and len(value) <= longest and "\x00" not in value):
            return _error(400, f"{name!r} must be text of at most {longest} characters")
        if kind is list and not (isinstance(value, list) and len(value) <= longest
                                 and all(isinstance(item, str) and len(item) <= 100 for item in value)):
            return _error(400, f"{name!r} must be a list of at most {longest} ids")
    return data


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _refused(diagnostics, status: int = 422) -> JSONResponse:  # type: ignore[no-untyped-def]
    return JSONResponse({"errors": [str(d) for d in sorted(diagnostics)]}, status_code=status)

