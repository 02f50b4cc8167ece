"""Annotating in the preview, as an editor does it: `digest serve` in a real process, Chromium on its pages.

The tests run in file order on one server and one site, each leaving the site valid.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from builder.cli import main
from test_serve import SERVE, Lines, stop_with_ctrl_c

from .test_accessibility import serious_violations

ARTICLE = "content/articles/riverton-bus-fares.md"
ANNOTATIONS = "content/articles/riverton-bus-fares.yaml"
PAGE = "/articles/riverton-bus-fares/"
TWICE = "the fares stay flat"
PARAGRAPH = ("\nA spokesperson said the fares stay flat. Later a second spokesperson said the fares stay flat "
             "for students only.\n")


class Preview:
    def __init__(self, process: subprocess.Popen, port: int, root: Path, stdout: Lines, stderr: Lines) -> None:
        self.process, self.port, self.root, self.stdout, self.stderr = process, port, root, stdout, stderr
        self.url = f"http://127.0.0.1:{port}"

    def annotations(self) -> bytes:
        return (self.root / ANNOTATIONS).read_bytes()

    def entries(self, section: str) -> list[dict]:
        return list(YAML(typ="safe").load(self.annotations().decode("utf-8"))[section])

    def post(self, path: str, body: object, headers: dict[str, str]) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request("POST", path, body=json.dumps(body).encode(), headers=headers)
            response = connection.getresponse()
            data = response.read()
            is_json = response.getheader("Content-Type", "").startswith("application/json")
            return response.status, json.loads(data) if is_json else {"text": data.decode("utf-8", "replace")}
        finally:
            connection.close()


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    root = tmp_path_factory.mktemp("annotate") / "site"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    with (root / ARTICLE).open("a", encoding="utf-8") as article:
        article.write(PARAGRAPH)
    process = subprocess.Popen([*SERVE, "--source", str(root), "--port", "0"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    stdout, stderr = Lines(process.stdout), Lines(process.stderr)
    port = int(stdout.wait_for(r"serving http://127\.0\.0\.1:(\d+)/").group(1))
    yield Preview(process, port, root, stdout, stderr)
    if process.poll() is None:
        assert stop_with_ctrl_c(process, stderr) == 0
    assert not any("Traceback" in line for line in stderr.seen)


@pytest.fixture
def page(browser, preview: Preview):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(preview.url + PAGE, wait_until="networkidle")
    page.wait_for_selector(".digest-annotate-verdict")  # the form's data has come: the editor is ready
    yield page
    context.close()
    assert problems == []


def select_occurrence(page, text: str, occurrence: int) -> None:  # type: ignore[no-untyped-def]
    """Select the n-th occurrence (0-based) of `text` in the article, as a reader's drag would."""
    page.evaluate("""([text, occurrence]) => {
        const walker = document.createTreeWalker(document.getElementById('article-text'), NodeFilter.SHOW_TEXT);
        let seen = 0;
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            let at = node.data.indexOf(text);
            while (at >= 0) {
                if (seen++ === occurrence) {
                    const range = document.createRange();
                    range.setStart(node, at); range.setEnd(node, at + text.length);
                    const selection = document.getSelection();
                    selection.removeAllRanges(); selection.addRange(range);
                    return;
                }
                at = node.data.indexOf(text, at + 1);
            }
        }
        throw new Error('not found: ' + text);
    }""", [text, occurrence])
    page.wait_for_function("() => !document.querySelector('.digest-annotate button').disabled")


def save_and_wait_for_reload(page) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation(timeout=15000):
        page.get_by_role("button", name="Save").click()
    page.wait_for_load_state("networkidle")


def test_a_claim_on_the_second_of_two_occurrences_is_highlighted_there_after_the_reload(page, preview: Preview) -> None:  # type: ignore[no-untyped-def]
    select_occurrence(page, TWICE, 1)
    assert page.locator("#digest-annotate-status").inner_text() == f"Selected: “{TWICE}”."
    page.get_by_role("button", name="Add claim").click()
    dialog = page.get_by_role("dialog", name="Add a claim")
    assert dialog.is_visible()
    assert page.evaluate("document.activeElement.id") == "da-claim"  # focus moves into the form
    dialog.get_by_label("Claim, in your words").fill("Fares stay flat for students only.")
    dialog.get_by_label("Claimant").fill("A second spokesperson")
    dialog.get_by_label("Status").select_option("unconfirmed")
    dialog.get_by_label("Sources", exact=True).fill("riverton-gazette")
    dialog.get_by_label("Note (Markdown)").fill("Said **later** the same day.")
    save_and_wait_for_reload(page)

    [claim] = [c for c in preview.entries("claims") if c.get("claimant") == "A second spokesperson"]
    assert claim["quote"] == TWICE
    assert claim.get("prefix") or claim.get("suffix")  # the shortest context that picks this occurrence
    assert claim.get("prefix") == "a second spokesperson said" or claim.get("suffix") == "for", claim
    assert page.evaluate("location.hash") == f"#claim-{claim['id']}"
    mark = page.locator(f"#hl-claim-{claim['id']}")
    assert mark.inner_text() == TWICE
    before = page.evaluate("""(id) => { const mark = document.getElementById(id); const range = document.createRange();
        range.setStart(mark.closest('p'), 0); range.setEndBefore(mark); return range.toString(); }""", f"hl-claim-{claim['id']}")
    assert before.endswith("Later a second spokesperson said "), before
    note = page.locator(f"#claim-{claim['id']}")
    assert note.is_visible() and "Said later the same day." in note.inner_text()


def test_the_verdict_of_a_claim_changes_from_its_note(page, preview: Preview) -> None:  # type: ignore[no-untyped-def]
    note = page.locator("#claim-savings")
    assert "Disputed" in note.locator(".note-status").text_content()
    opener = note.get_by_role("button", name="Change verdict")
    opener.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("New status").select_option("false")
    dialog.get_by_label("Why (Markdown, optional)").fill("The fare table shows **60 dollars** with a pass.")
    save_and_wait_for_reload(page)
    savings = next(c for c in preview.entries("claims") if c["id"] == "savings")
    assert (savings["status"], savings["history"][-1]["status"]) == ("false", "disputed")
    note = page.locator("#claim-savings")
    assert "False" in note.locator(".note-status").text_content()
    assert "60 dollars with a pass" in note.locator(".note-text").inner_text()
    steps = note.locator(".verdict-history li")
    previous, current = steps.nth(steps.count() - 2).inner_text(), steps.last.inner_text()
    assert "DISPUTED" in previous.upper() and "monthly pass at 62 dollars" in previous  # the old reason, kept with it
    assert "CURRENT" in current.upper() and "FALSE" in current.upper()


def test_a_refused_save_shows_the_located_message_and_changes_nothing(page, preview: Preview) -> None:  # type: ignore[no-untyped-def]
    before = preview.annotations()
    select_occurrence(page, "welcomed the vote", 0)
    page.get_by_role("button", name="Add claim").click()
    dialog = page.get_by_role("dialog", name="Add a claim")
    dialog.get_by_label("Sources", exact=True).fill("riverton-gazete")
    dialog.get_by_role("button", name="Save").click()
    alert = dialog.get_by_role("alert")
    alert.get_by_text("unknown source").wait_for()
    assert re.search(r"content/articles/riverton-bus-fares\.yaml:\d+:\d+: error: unknown source 'riverton-gazete' "
                     r"\(did you mean 'riverton-gazette'\?\)", alert.inner_text())
    assert page.evaluate("document.activeElement.id") == "digest-annotate-errors"
    assert preview.annotations() == before
    page.keyboard.press("Escape")  # the dialog closes, and focus goes back to the button that opened it
    assert not dialog.is_visible()
    assert page.evaluate("document.activeElement.textContent") == "Add claim"


def test_the_editor_is_keyboard_usable_and_axe_clean(page, axe_script: Path) -> None:  # type: ignore[no-untyped-def]
    assert serious_violations(page, axe_script) == []
    select_occurrence(page, "welcomed the vote", 0)
    page.locator(".digest-annotate").get_by_role("button", name="Add caveat").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Add a caveat")
    assert dialog.is_visible() and page.evaluate("document.activeElement.id") == "da-kind"
    assert dialog.get_by_role("group", name="Claims it qualifies").get_by_role("checkbox").count() >= 3
    assert serious_violations(page, axe_script) == []
    page.keyboard.press("Escape")


def test_writes_without_the_token_or_from_another_origin_or_host_are_refused(page, preview: Preview) -> None:  # type: ignore[no-untyped-def]
    token = page.locator("script[data-token]").get_attribute("data-token")
    before = preview.annotations()
    body = {"exact": "welcomed the vote", "status": "confirmed", "sources": ["riverton-gazette"]}
    host = f"127.0.0.1:{preview.port}"
    own = {"Host": host, "Origin": f"http://{host}", "Content-Type": "application/json"}
    path = "/__digest__/api/articles/riverton-bus-fares/claims"
    refusals = [
        own,  # no token
        {**own, "X-Digest-Token": "guessed"},
        {**own, "X-Digest-Token": token, "Origin": "http://evil.example"},
        {**own, "X-Digest-Token": token, "Origin": "null"},
        {**own, "X-Digest-Token": token, "Host": f"evil.example:{preview.port}", "Origin": f"http://evil.example:{preview.port}"},
        {**{k: v for k, v in own.items() if k != "Origin"}, "X-Digest-Token": token},
        {**own, "X-Digest-Token": token, "Content-Type": "text/plain"},
    ]
    for headers in refusals:
        status, answer = preview.post(path, body, headers)
        assert 400 <= status < 500, (headers, status, answer)
    for slug in ("..%2F..%2Fsite%2Fconfig", "%2e%2e", "Riverton-Bus-Fares", "no-such-article"):
        status, answer = preview.post(path.replace("riverton-bus-fares", slug), body, {**own, "X-Digest-Token": token})
        assert status in (404, 405), (slug, status, answer)
    assert preview.annotations() == before

    # From a page of another origin, in the browser: the request is refused and writes nothing.
    result = page.evaluate("""async ([url, token]) => {
        try { const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json', 'X-Digest-Token': token},
              body: JSON.stringify({exact: 'welcomed the vote', status: 'confirmed', sources: ['riverton-gazette']})});
              return r.status; } catch (e) { return 'blocked'; } }""",
                           [f"http://localhost:{preview.port}{path}", token])
    assert result in ("blocked", 403)
    assert preview.annotations() == before


def test_a_page_asked_for_under_another_host_gets_no_token(preview: Preview) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=15)
    connection.request("GET", PAGE, headers={"Host": f"rebound.example:{preview.port}"})
    body = connection.getresponse().read().decode("utf-8")
    connection.close()
    assert "data-token" not in body and "/__digest__/live.js" in body
