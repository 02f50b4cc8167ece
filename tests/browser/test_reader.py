"""The built default digest in Chromium, served from /digest/: loading, notes, no-JS, search, screenshots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from PIL import Image

ARTICLE = "articles/trump-xi-call-2026-02-04/"
PAGES = ["", ARTICLE, "topics/", "topics/agriculture/", "sources/", "sources/xinhua/", "discrepancies/",
         "claimants/", "claimants/donald-trump/", "statuses/", "statuses/unconfirmed/", "updates/", "search/", "404.html"]
# tests/sites/desk: the pages that show verdict histories, corrections, cited documents and updates.
DESK_ARTICLE = "articles/water-tariffs/"
DESK_PAGES = ["", DESK_ARTICLE, "articles/budget-vote/", "claimants/", "claimants/ana-lopez/", "claimants/zhang-wei/",
              "statuses/", "statuses/false/", "updates/", "sources/water-board/"]
WIDE, NARROW = 1280, 390


class Watched:
    """A page with every console error, page error, failed request and off-site request recorded."""

    def __init__(self, page, origin: str) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.problems: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))
        page.on("request", lambda r: not r.url.startswith((origin, "data:"))
                and self.problems.append(f"off-site request: {r.url}"))


@pytest.fixture
def open_page(browser, site_url: str, request: pytest.FixtureRequest) -> Iterator:  # type: ignore[no-untyped-def]
    """open_page(path, width=, scheme=, javascript=, site=) -> Watched; contexts are closed after the test.
    `site` is "default" (the default digest) or "desk" (tests/sites/desk)."""
    contexts = []

    def open_(path: str, width: int = WIDE, scheme: str = "light", javascript: bool = True,
              site: str = "default") -> Watched:
        base = site_url if site == "default" else request.getfixturevalue("desk_url")
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme,
                                      java_script_enabled=javascript)
        contexts.append(context)
        watched = Watched(context.new_page(), "{0.scheme}://{0.netloc}/".format(urlsplit(base)))
        watched.page.goto(base + path, wait_until="networkidle")
        return watched

    yield open_
    for context in contexts:
        context.close()


def in_viewport(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    """The element's top edge is on screen (not scrolled past, not below the fold)."""
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    return (box is not None and box["height"] > 0 and -1 <= box["y"] < viewport["height"] - 40
            and 0 <= box["x"] < viewport["width"])


@pytest.mark.parametrize("site, path", [("default", p) for p in PAGES] + [("desk", p) for p in DESK_PAGES])
def test_page_loads_without_console_errors_or_failed_requests(open_page, site: str, path: str) -> None:
    watched = open_page(path, site=site)
    assert watched.page.title()
    watched.page.wait_for_timeout(300)  # let deferred scripts and the search bundle settle
    assert watched.problems == []


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_an_update_in_the_notice_opens_the_note_with_its_verdict_history(open_page, width: int) -> None:
    watched = open_page(DESK_ARTICLE, width=width, site="desk")
    page = watched.page
    page.locator('.updated-notice a[href="#claim-rates-fall"]').first.click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'claim-rates-fall'")
    page.wait_for_timeout(600)  # smooth scrolling
    history = page.locator("#claim-rates-fall .verdict-history")
    assert history.is_visible() and in_viewport(page, "#claim-rates-fall")
    assert history.locator("li").count() == 3
    assert watched.problems == []


def test_an_id_link_leads_to_the_claim_in_the_other_article(open_page, desk_url: str) -> None:
    page = open_page(DESK_ARTICLE, width=NARROW, site="desk").page
    page.locator("#article-text a", has_text="the council would not borrow").click()
    page.wait_for_url(desk_url + "articles/budget-vote/#claim-no-borrowing")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'claim-no-borrowing'")
    assert page.locator("#claim-no-borrowing").is_visible()


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_following_a_marker_brings_its_note_into_view_and_focus(open_page, width: int) -> None:
    watched = open_page(ARTICLE, width=width)
    page = watched.page
    if width == NARROW:
        assert not page.locator("#claim-soybeans").is_visible()  # closed until asked for
    page.locator('sup.marker a[href="#claim-soybeans"]').click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'claim-soybeans'")
    page.wait_for_timeout(600)  # smooth scrolling
    assert page.locator("#claim-soybeans").is_visible()
    assert in_viewport(page, "#claim-soybeans")
    assert watched.problems == []


def test_selecting_highlighted_text_opens_its_note(open_page) -> None:
    page = open_page(ARTICLE, width=NARROW).page
    page.locator('mark[data-note="claim-soybeans"]').first.click()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'claim-soybeans'")
    assert page.url.endswith("#claim-soybeans")
    assert page.locator("#claim-soybeans").is_visible()


def test_hovering_a_highlight_marks_its_note(open_page) -> None:
    page = open_page(ARTICLE, width=WIDE).page
    page.locator('mark[data-note="caveat-xinhua-omits-soybeans"]').first.hover()
    assert "is-linked" in page.locator("#caveat-xinhua-omits-soybeans").get_attribute("class")
    page.locator("#claim-trump-post").hover()
    assert "is-linked" in page.locator('mark[data-note="claim-trump-post"]').first.get_attribute("class")


@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_without_javascript_markers_are_plain_links_to_their_notes(open_page, width: int) -> None:
    page = open_page(ARTICLE, width=width, javascript=False).page
    assert page.evaluate("typeof document.querySelector('[data-search]')") == "object"  # evaluate still works
    page.locator('sup.marker a[href="#claim-soybeans"]').click()
    page.wait_for_timeout(600)
    assert page.url.endswith("#claim-soybeans")
    assert page.locator("#claim-soybeans").is_visible()
    assert in_viewport(page, "#claim-soybeans")
    assert page.evaluate("document.querySelector(':target').id") == "claim-soybeans"
    # The fragment moved the keyboard's starting point: the next Tab lands inside the note.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.note').id") == "claim-soybeans"
    # ... and its back link returns to the highlight.
    page.locator('#claim-soybeans .backref').click()
    assert page.url.endswith("#hl-claim-soybeans")


def test_article_page_stays_light(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    """Everything the seed article page loads (HTML, CSS, JS, icon), uncompressed, stays under 80 kB."""
    context = browser.new_context()
    page = context.new_page()
    sizes: dict[str, int] = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())))
    page.goto(site_url + ARTICLE, wait_until="networkidle")
    context.close()
    assert set(sizes) >= {site_url + ARTICLE, site_url + "static/style.css", site_url + "static/digest.js"}
    assert sum(sizes.values()) < 80_000, sizes


@pytest.mark.parametrize("site, path", [("default", p) for p in PAGES] + [("desk", p) for p in DESK_PAGES])
def test_no_page_scrolls_sideways_at_320_px(open_page, site: str, path: str) -> None:
    page = open_page(path, width=320, site=site).page
    if path.startswith("search"):
        page.wait_for_timeout(300)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_print_shows_every_note_after_its_paragraph_and_hides_navigation(open_page) -> None:
    page = open_page(ARTICLE, width=800).page
    page.emulate_media(media="print")
    notes = page.locator(".sidenotes .note")
    assert notes.count() == 10
    assert all(notes.nth(i).is_visible() for i in range(notes.count()))
    assert not page.locator(".site-header nav").is_visible()
    first_note = page.locator(".sidenotes").first.bounding_box()
    first_paragraph = page.locator("#article-text > p").first.bounding_box()
    assert first_note["y"] > first_paragraph["y"] + first_paragraph["height"] - 1  # below it, not beside it


def test_skip_link_is_the_first_stop_and_visible_when_focused(open_page) -> None:
    page = open_page(ARTICLE).page
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.getBoundingClientRect().top]")
    assert focused[0] == "skip-link" and focused[1] >= 0
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_search_for_soybeans_finds_the_seed_article_and_its_claim(open_page, site_url: str) -> None:
    watched = open_page("search/?q=soybeans")
    page = watched.page
    page.wait_for_selector(f'.search-results a[href*="{ARTICLE}"]', timeout=15000)
    links = page.eval_on_selector_all(".search-results a", "els => els.map(a => [a.textContent.trim(), a.href])")
    assert any(href == site_url + ARTICLE for _, href in links), links
    # The claim's note is a sub-result, linked by its heading's id.
    assert any(href == site_url + ARTICLE + "#claim-soybeans-title" for _, href in links), links
    assert watched.problems == []


def test_header_search_box_submits_to_the_search_page(open_page, site_url: str) -> None:
    page = open_page("topics/").page
    page.fill("#site-search", "soybeans")
    page.press("#site-search", "Enter")
    page.wait_for_selector(f'.search-results a[href*="{ARTICLE}"]', timeout=15000)
    assert page.url == site_url + "search/?q=soybeans"


def test_web_annotation_selectors_re_anchor_in_the_browser(open_page, site_url: str) -> None:
    """Each annotation's TextQuoteSelector and TextPositionSelector pick the same text of #article-text."""
    page = open_page(ARTICLE).page
    collection = json.loads(page.request.get(site_url + "data/annotations.jsonld").text())
    # The collection's one page (the default digest has one article), at its address under base_url.
    first = collection["first"].replace("https://example.org/digest/", site_url)
    annotations = json.loads(page.request.get(first).text())
    result = page.evaluate("""(items) => {
        const text = Array.from(document.querySelector('#article-text').textContent);  // code points
        return items.map(item => {
            const [quote, css] = item.target.selector;
            const root = Array.from(document.querySelector(css.value).textContent);
            const {start, end} = css.refinedBy;
            const whole = text.join('');
            const at = whole.indexOf(quote.prefix + quote.exact + quote.suffix);
            return {id: item.id, exact: root.slice(start, end).join('') === quote.exact,
                    prefix: root.slice(Math.max(0, start - quote.prefix.length), start).join('') === quote.prefix,
                    suffix: root.slice(end, end + quote.suffix.length).join('') === quote.suffix,
                    quoteFound: at >= 0 && Array.from(whole.slice(0, at)).length + Array.from(quote.prefix).length === start,
                    markText: [...document.querySelectorAll(`mark[data-note="${item.id.split('#')[1]}"]`)]
                              .map(m => m.textContent).join('')};
        });
    }""", annotations["items"])
    assert len(result) == 10
    for row in result:
        assert row["exact"] and row["prefix"] and row["suffix"] and row["quoteFound"], row
    exacts = {item["id"].split("#")[1]: item["target"]["selector"][0]["exact"] for item in annotations["items"]}
    for row in result:  # the selected text is the highlighted text
        assert row["markText"] == exacts[row["id"].split("#")[1]]


def check_screenshot(page, target: Path, width: int, scheme: str, full_page: bool) -> None:  # type: ignore[no-untyped-def]
    """Take the screenshot and check it is the page as drawn: the viewport's width, the whole page's height
    when full, the scheme's background, and text and notes on it rather than an empty or half-drawn page."""
    page.screenshot(path=str(target), full_page=full_page)
    height = page.evaluate("document.documentElement.scrollHeight") if full_page else page.viewport_size["height"]
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    with Image.open(target) as image:
        assert image.size == (width, height), (target.name, image.size)
        grey = image.convert("L")
    # The most common shade is the page's background: light in the light scheme, dark in the dark one.
    shade = max(range(256), key=grey.histogram().__getitem__)
    assert (shade > 200) if scheme == "light" else (shade < 60), (target.name, shade, background)
    # Text contrasts with it: a good share of the pixels differ from the background by more than half the range.
    contrast = sum(count for level, count in enumerate(grey.histogram()) if abs(level - shade) > 128)
    assert contrast > 0.004 * width * height, (target.name, contrast)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [WIDE, NARROW])
def test_screenshots(open_page, screenshots: Path, width: int, scheme: str) -> None:
    for name, path in [("home", ""), ("article", ARTICLE), ("article-note-open", ARTICLE + "#claim-soybeans"),
                       ("source", "sources/xinhua/"), ("search", "search/?q=soybeans")]:
        page = open_page(path, width=width, scheme=scheme).page
        if name == "search":
            page.wait_for_selector(".search-results a", timeout=15000)
        page.wait_for_timeout(400)
        check_screenshot(page, screenshots / f"{name}-{width}-{scheme}.png", width, scheme,
                         full_page=name != "article-note-open")
    for name, path in [("desk-article", DESK_ARTICLE), ("desk-note-history", DESK_ARTICLE + "#claim-rates-fall"),
                       ("desk-claimants", "claimants/"), ("desk-claimant", "claimants/ana-lopez/"),
                       ("desk-statuses", "statuses/"), ("desk-updates", "updates/"), ("desk-home", ""),
                       ("desk-source-documents", "sources/water-board/")]:
        page = open_page(path, width=width, scheme=scheme, site="desk").page
        page.wait_for_timeout(400)
        check_screenshot(page, screenshots / f"{name}-{width}-{scheme}.png", width, scheme,
                         full_page=name != "desk-note-history")
