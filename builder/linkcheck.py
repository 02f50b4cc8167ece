"""`digest check --links`: request each external URL the digest cites, once, and warn at every dead one.

stages/links.py says which links there are and where; this module asks the servers (httpx, asyncio),
keeps each answer in the build cache for a day, and turns the dead ones into located warnings.
"""

from __future__ import annotations

import asyncio
import email.utils
import http
import socket
import ssl
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Coroutine, Iterable, TypeVar

import httpx

from . import __version__
from .build import CACHE_DIR, code_version
from .engine.session import STORE_FILE
from .engine.store import Store, content_hash
from .stages.content import ARTICLES_DIR, article_slugs, decode, load_registries, parse_article, read_article_files
from .stages.diagnostics import ContentErrors, Diagnostic
from .stages.links import (ARCHIVE, CITATION, CLAIMANT_URL, SOURCE_URL, ExternalLink, citation_links, claimant_links, external_links,
                           without_fragment)

USER_AGENT = f"digest/{__version__} (link checker; python-httpx/{httpx.__version__})"
ALIVE, DEAD, RATE_LIMITED = "alive", "dead", "rate-limited"
T = TypeVar("T")


@dataclass(frozen=True)
class LinkCheckSettings:
    concurrency: int = 8  # requests under way at once
    per_host: int = 2  # of those, to one host: a digest often cites one site many times
    connect_timeout: float = 5.0  # seconds to connect
    total_timeout: float = 15.0  # seconds for a whole check, redirects and the GET fallback included
    max_redirects: int = 10
    max_retry_after: float = 10.0  # a 429's Retry-After is waited for once, at most this long
    max_age: float = 24 * 60 * 60  # seconds an answer is kept in the build cache


@dataclass(frozen=True)
class LinkVerdict:
    """What a server answered for one URL (without its fragment), and when."""

    url: str
    outcome: str  # ALIVE, DEAD or RATE_LIMITED
    problem: str  # what is wrong, for DEAD and RATE_LIMITED: "HTTP 404 Not Found", "connection refused"
    checked_at: float  # seconds since the epoch


@dataclass(frozen=True)
class LinkReport:
    diagnostics: tuple[Diagnostic, ...]  # one warning per place a dead link is cited
    checked: int  # distinct URLs
    from_cache: int  # of those, answered by the cache
    dead: int  # distinct URLs found dead
    rate_limited: tuple[LinkVerdict, ...]  # not checked: the server asked to slow down (not cached)


def check_links(root: Path, settings: LinkCheckSettings = LinkCheckSettings(),
                clock: Callable[[], float] = time.time) -> LinkReport:
    """Check every external link of the site in `root`; ContentErrors if its content cannot be read."""
    registries = load_registries(root)
    slugs, problems = article_slugs(root)
    articles, texts = [], {}
    for slug, has_annotations in slugs.items():
        files = read_article_files(root, slug, has_annotations)
        article, article_problems = parse_article(files)
        problems += article_problems
        if article is not None:
            articles.append(article)
            if files.annotations is not None:
                texts[article.annotations_path] = decode(files.annotations, f"{ARTICLES_DIR}/{slug}.yaml")
    errors = [d for d in (*registries.diagnostics, *problems) if d.severity == "error"]
    if errors:
        raise ContentErrors(errors)
    links = external_links(registries.sources, articles, texts,
                           citations=[*citation_links(articles), *claimant_links(registries.claimants)])
    urls = sorted({link.request_url for link in links})
    (root / CACHE_DIR).mkdir(exist_ok=True)
    cache = Store(root / CACHE_DIR / STORE_FILE, code_version())
    try:
        verdicts = {}
        for url in urls:
            stored = _cached(cache, url, settings, clock())
            if stored is not None:
                verdicts[url] = stored
        unchecked = [url for url in urls if url not in verdicts]
        fresh = _run(request_all(unchecked, settings, clock)) if unchecked else []
        for verdict in fresh:
            if verdict.outcome != RATE_LIMITED:  # asked again next time
                cache.put(_cache_name(verdict.url), verdict)
    finally:
        cache.close()
    from_cache = len(verdicts)
    verdicts.update((verdict.url, verdict) for verdict in fresh)
    return LinkReport(dead_link_warnings(links, verdicts), len(urls), from_cache,
                      sum(v.outcome == DEAD for v in verdicts.values()),
                      tuple(v for v in fresh if v.outcome == RATE_LIMITED))


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run(), in a thread of its own if this one already runs an event loop (a notebook,
    Playwright's sync API), where asyncio.run() refuses to start another."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def _cache_name(url: str) -> str:
    return f"link:{content_hash(url)}"


def _cached(cache: Store, url: str, settings: LinkCheckSettings, now: float) -> LinkVerdict | None:
    stored = cache.get(_cache_name(url))
    if isinstance(stored, LinkVerdict) and stored.url == url and 0 <= now - stored.checked_at < settings.max_age:
        return stored
    return None


async def request_all(urls: Iterable[str], settings: LinkCheckSettings,
                      clock: Callable[[], float] = time.time) -> list[LinkVerdict]:
    """One verdict per URL, at most `concurrency` requests at once and `per_host` to any one host."""
    overall = asyncio.Semaphore(settings.concurrency)
    hosts: defaultdict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(settings.per_host))
    timeout = httpx.Timeout(settings.total_timeout, connect=settings.connect_timeout)
    limits = httpx.Limits(max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency)
    async with httpx.AsyncClient(follow_redirects=True, max_redirects=settings.max_redirects, timeout=timeout,
                                 limits=limits, headers={"User-Agent": USER_AGENT}) as client:

        async def check(url: str) -> LinkVerdict:
            try:
                host = httpx.URL(url).host
            except httpx.InvalidURL as error:
                return LinkVerdict(url, DEAD, f"not a URL that can be requested ({error})", clock())
            async with hosts[host], overall:
                outcome, problem = await _check_patiently(client, url, settings)
            return LinkVerdict(url, outcome, problem, clock())

        return list(await asyncio.gather(*(check(url) for url in urls)))


async def _check_patiently(client: httpx.AsyncClient, url: str, settings: LinkCheckSettings) -> tuple[str, str]:
    """(outcome, problem); a 429 is asked again once, after the wait the server names (bounded)."""
    outcome, problem, retry_after = await _check_once(client, url, settings)
    if outcome == RATE_LIMITED:
        await asyncio.sleep(min(retry_after, settings.max_retry_after))
        outcome, problem, _ = await _check_once(client, url, settings)
    return outcome, problem


async def _check_once(client: httpx.AsyncClient, url: str, settings: LinkCheckSettings) -> tuple[str, str, float]:
    try:
        response = await asyncio.wait_for(_answer(client, url), settings.total_timeout)
    except asyncio.TimeoutError:
        return DEAD, f"no answer within {settings.total_timeout:g} s", 0.0
    except httpx.TooManyRedirects:
        return DEAD, f"more than {settings.max_redirects} redirects (a redirect loop?)", 0.0
    except httpx.ConnectTimeout:
        return DEAD, f"no connection within {settings.connect_timeout:g} s", 0.0
    except httpx.TimeoutException:
        return DEAD, f"no answer within {settings.total_timeout:g} s", 0.0
    except httpx.ConnectError as error:
        return DEAD, _connect_problem(error, url), 0.0
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
        return DEAD, f"not a URL that can be requested ({error})", 0.0
    except httpx.HTTPError as error:  # a broken answer: the server closed the connection, bad headers, ...
        return DEAD, f"no valid answer ({type(error).__name__}: {error})", 0.0
    status = response.status_code
    if status == 429:
        return RATE_LIMITED, _status_text(status), _retry_after(response.headers.get("Retry-After"))
    if status < 400:
        return ALIVE, "", 0.0
    redirected = f" (redirected to {response.url})" if response.history else ""
    return DEAD, f"{_status_text(status)}{redirected}", 0.0


async def _answer(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """HEAD, and GET where the server refuses HEAD (405, 501); the body is never read."""
    response = await client.head(url)
    if response.status_code in (405, 501):
        async with client.stream("GET", url) as response:
            pass
    return response


def _connect_problem(error: httpx.ConnectError, url: str) -> str:
    """What a failed connection was, from the OS error httpx and httpcore wrap."""
    cause: BaseException | None = error
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, socket.gaierror):
            return f"no such host '{httpx.URL(url).host}' (DNS lookup failed)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"its TLS certificate is not valid ({cause.verify_message})"
        if isinstance(cause, ssl.SSLError):
            return f"TLS failed ({cause.reason or cause})"
        cause = cause.__cause__ or cause.__context__
    return f"could not connect ({error})"


def _status_text(status: int) -> str:
    try:
        return f"HTTP {status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _retry_after(value: str | None) -> float:
    """Seconds a Retry-After header asks for (a number or an HTTP date); 1 if it says nothing usable."""
    if value is None:
        return 1.0
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, when.timestamp() - time.time())


def dead_link_warnings(links: Iterable[ExternalLink], verdicts: dict[str, LinkVerdict]) -> tuple[Diagnostic, ...]:
    """A warning at every place a dead link is cited, saying what happened and whether an archived copy is linked."""
    links = tuple(links)
    archived_citations: defaultdict[str, int] = defaultdict(int)  # source id -> its citations with an archive
    for link in links:
        if link.kind == CITATION and link.archive_url:
            archived_citations[link.source_id] += 1
    warnings = []
    for link in links:
        verdict = verdicts.get(link.request_url)
        if verdict is None or verdict.outcome != DEAD:
            continue
        archive = verdicts.get(without_fragment(link.archive_url)) if link.archive_url else None
        warnings.append(Diagnostic(link.at, f"{_named(link)} is dead: {verdict.problem}"
                                            f"{_archive_note(link, archive, archived_citations)}", "warning"))
    return tuple(sorted(warnings))


def _named(link: ExternalLink) -> str:
    """How a message names a link: what it is, and its URL."""
    if link.kind == SOURCE_URL:
        return f"URL {link.url} of source '{link.source_id}'"
    if link.kind == CITATION:
        return f"cited document {link.url}"
    if link.kind == ARCHIVE:
        return f"archived copy {link.url}"
    if link.kind == CLAIMANT_URL:
        return f"URL {link.url} of a registered claimant"
    return f"link {link.url}"


def _archive_note(link: ExternalLink, archive: LinkVerdict | None, archived_citations: dict[str, int]) -> str:
    """Whether readers still have an archived copy of what is dead."""
    if link.kind == ARCHIVE:
        return f"; it is the archived copy of {link.original_url}" if link.original_url else ""
    if link.kind == CITATION and link.archive_url:
        if archive is not None and archive.outcome == DEAD:
            return "; its archived copy is dead too"
        return "; an archived copy is linked"
    if link.kind == SOURCE_URL and archived_citations.get(link.source_id):
        count = archived_citations[link.source_id]
        return (f"; no archived copy of it is linked, but {count} citation{'s' if count != 1 else ''} "
                f"of '{link.source_id}' link an archived copy of the document cited")
    return "; no archived copy is linked"
