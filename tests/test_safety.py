"""Untrusted content: nothing in any field can put executable script or a dangerous link into a page."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from builder.build import build
from builder.stages.diagnostics import ContentErrors
from builder.stages.shapes import unsafe_url_reason
from conftest import make_site

XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>" onmouseover="alert(3)'
QUOTE = "said <script>alert(1)</script> loudly"


def hostile_site(root):
    return make_site(root, {
        "site/config.yaml": f"title: '{XSS}'\ndescription: '{XSS}'\n",
        "content/sources.yaml": f"evil:\n  name: '{XSS}'\n  kind: other\n  url: 'https://x.test/?q=\"><script>alert(4)</script>'\n"
                                f"  description: '{XSS}'\n",
        "content/topics.yaml": f"evil-topic:\n  title: '{XSS}'\n  description: '{XSS}'\n",
        "content/articles/evil.md": f"---\ntitle: '{XSS}'\ndate: 2026-02-04\ntopics: [evil-topic]\nsummary: '{XSS}'\n"
                                    f"source: evil\n---\n\nHe {QUOTE} today. <iframe src=https://x.test></iframe>\n\n"
                                    '<div onclick="alert(5)">raw html block</div>\n\n'
                                    '[link](https://x.test/"onclick="alert(6))\n',
        "content/articles/evil.yaml": f"claims:\n  - id: c\n    quote: '{QUOTE}'\n    claim: '{XSS}'\n    claimant: '{XSS}'\n"
                                      f"    status: disputed\n    sources: [evil]\n    topics: [evil-topic]\n    note: '{XSS}'\n"
                                      f"caveats:\n  - id: k\n    kind: omission\n    text: '{XSS}'\n    claims: [c]\n"
                                      f"    sources: [evil]\n    noted_by: [evil]\n    quote: today\n",
    }, defaults=False)


def executable_things(html: str) -> list[str]:
    """Script elements that are not our own, event-handler attributes and script URLs."""
    found = []
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.find_all(True):
        # The theme's search box in the header, and the search page's own form.
        own_form = element.name == "form" and bool({"search-box", "search-form"} & set(element.get("class", [])))
        if element.name in ("iframe", "object", "embed", "base", "form") and not own_form:
            found.append(f"<{element.name}>")
        if element.name == "script":
            # 404.html links from the site root ("/static/..."), being served at any URL.
            if element.get("type") == "application/ld+json":
                # Structured data holds the content as JSON strings, with '<' written as \u003c.
                if "<" in element.get_text():
                    found.append(str(element)[:80])
            elif not str(element.get("src", "")).startswith(("static/", "../", "/static/")) or element.get_text():
                found.append(str(element)[:80])
        for name, value in element.attrs.items():
            if name.lower().startswith("on"):
                found.append(f"{element.name}[{name}]")
            if name in ("href", "src", "action", "formaction", "srcset") and unsafe_url_reason(str(value)):
                found.append(f"{element.name}[{name}={value}]")
    return found


def test_hostile_text_in_every_field_is_escaped(tmp_path):
    out = tmp_path / "public"
    build(hostile_site(tmp_path / "site"), out)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 7
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert executable_things(html) == [], page
        assert "<script>alert" not in html
    article = BeautifulSoup((out / "articles/evil/index.html").read_text(), "html.parser")
    # the text survives, as text
    assert "<script>alert(1)</script>" in article.select_one("#hl-claim-c").get_text()
    assert '<div onclick="alert(5)">raw html block</div>' in article.select_one(".article-body").get_text()


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd",
])
def test_dangerous_url_schemes_are_refused(url):
    assert unsafe_url_reason(url) is not None


@pytest.mark.parametrize("url", ["https://x.test/a?b=c#d", "http://x.test", "mailto:desk@x.test", "../other/",
                                 "page.html", "#note", "/absolute/path", "path/with:colon"])
def test_web_and_relative_urls_are_allowed(url):
    assert unsafe_url_reason(url) is None


@pytest.mark.parametrize("where, text", [
    ("content/articles/a.md", "---\ntitle: A\ndate: 2026-02-04\n---\n\n<javascript:alert(1)>\n"),
    ("content/articles/a.md", "---\ntitle: A\ndate: 2026-02-04\n---\n\n![x](javascript:alert(1))\n"),
    ("content/articles/a.md", "---\ntitle: A\ndate: 2026-02-04\n---\n\n[x]\n\n[x]: vbscript:msgbox(1)\n"),
])
def test_autolinks_images_and_reference_links_are_checked_too(tmp_path, where, text):
    make_site(tmp_path, {where: text})
    with pytest.raises(ContentErrors) as error:
        build(tmp_path, tmp_path / "public")
    assert "is not allowed" in error.value.diagnostics[0].message
    assert not (tmp_path / "public").exists()
