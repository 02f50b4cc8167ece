"""axe-core in Chromium: no serious or critical violations on the main kinds of page, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest

from .test_reader import ARTICLE, DESK_ARTICLE, NARROW, WIDE, open_page  # noqa: F401  (fixture)

PAGES = {"home": "", "article": ARTICLE, "topic": "topics/agriculture/", "topics": "topics/",
         "source": "sources/xinhua/", "sources": "sources/", "discrepancies": "discrepancies/",
         "claimants": "claimants/", "claimant": "claimants/donald-trump/", "statuses": "statuses/",
         "status": "statuses/unconfirmed/", "updates": "updates/",
         "search": "search/?q=soybeans", "not-found": "404.html"}
# tests/sites/desk: verdict histories, the "Updated" notice, corrections, cited documents, updates.
DESK_PAGES = {"desk-home": "", "desk-article": DESK_ARTICLE, "desk-claimants": "claimants/",
              "desk-claimant": "claimants/ana-lopez/", "desk-statuses": "statuses/", "desk-status": "statuses/false/",
              "desk-updates": "updates/", "desk-source": "sources/water-board/"}


def serious_violations(page, axe_script: Path) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(axe_script))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_or_critical_axe_violations(open_page, axe_script: Path, name: str, scheme: str) -> None:  # noqa: F811
    page = open_page(PAGES[name], scheme=scheme).page
    if name == "search":
        page.wait_for_selector(".search-results a", timeout=15000)
    assert serious_violations(page, axe_script) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", list(DESK_PAGES))
def test_no_serious_or_critical_axe_violations_on_the_desks_pages(open_page, axe_script: Path, name: str,  # noqa: F811
                                                                  scheme: str) -> None:
    page = open_page(DESK_PAGES[name], scheme=scheme, site="desk").page
    assert serious_violations(page, axe_script) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_narrow_article_with_a_verdict_history_open_has_no_serious_violations(open_page, axe_script: Path,  # noqa: F811
                                                                             scheme: str) -> None:
    page = open_page(DESK_ARTICLE + "#claim-rates-fall", width=NARROW, scheme=scheme, site="desk").page
    assert page.locator("#claim-rates-fall .verdict-history").is_visible()
    assert serious_violations(page, axe_script) == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_narrow_article_with_an_open_note_has_no_serious_violations(open_page, axe_script: Path, scheme: str) -> None:  # noqa: F811
    page = open_page(ARTICLE + "#caveat-xinhua-omits-soybeans", width=NARROW, scheme=scheme).page
    assert page.locator("#caveat-xinhua-omits-soybeans").is_visible()
    assert serious_violations(page, axe_script) == []


def test_focus_is_visible_on_every_link_of_the_article(open_page) -> None:  # noqa: F811
    """Tab through the page: each focused element draws an outline."""
    page = open_page(ARTICLE, width=WIDE).page
    missing = []
    for _ in range(60):
        page.keyboard.press("Tab")
        style = page.evaluate("""() => { const e = document.activeElement; const s = getComputedStyle(e);
            return [e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').slice(0, 30), s.outlineStyle, s.outlineWidth]; }""")
        if style[1] == "none" or style[2] == "0px":
            missing.append(style[0])
    assert missing == []
