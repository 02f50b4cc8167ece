"""The preview's editing API, in process (Starlette's TestClient): what it accepts, and everything it refuses."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from click.testing import CliRunner
from starlette.testclient import TestClient

from builder.annotate.editor import MAX_BODY, Editor
from builder.cli import main
from builder.serve import LiveSite, preview_app, rebuild

ORIGIN = "http://127.0.0.1:8000"
ANNOTATIONS = "content/articles/riverton-bus-fares.yaml"
CLAIMS = "/__digest__/api/articles/riverton-bus-fares/claims"
TOKEN = "a-token-for-this-session"
CLAIM = {"exact": "welcomed the vote", "prefix": "The riders' association\n", "suffix": " but said",
         "claim": "The riders welcomed the vote.", "status": "confirmed", "sources": ["transit-riders"]}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    assert CliRunner().invoke(main, ["init", str(root)]).exit_code == 0
    return root


def client(site: Path, tmp_path: Path, editing: bool = True) -> TestClient:
    live = LiveSite(tmp_path / "out")
    live.record(rebuild(site, live.out, include_drafts=False))
    editor = Editor.for_address(site, "127.0.0.1", 8000, TOKEN) if editing else None
    return TestClient(preview_app(live, editor), base_url=ORIGIN)


def own(**extra: str) -> dict[str, str]:
    return {"Origin": ORIGIN, "X-Digest-Token": TOKEN, "Content-Type": "application/json", **extra}


def test_a_claim_is_written_and_the_answer_names_its_note(site: Path, tmp_path: Path) -> None:
    response = client(site, tmp_path).post(CLAIMS, content=json.dumps(CLAIM), headers=own())
    assert response.status_code == 201, response.text
    assert response.json() == {"id": "the-riders-welcomed-the-vote", "note": "claim-the-riders-welcomed-the-vote",
                               "path": ANNOTATIONS, "changed": True}
    text = (site / ANNOTATIONS).read_text()
    assert "  - id: the-riders-welcomed-the-vote\n    quote: welcomed the vote\n" in text
    assert CliRunner().invoke(main, ["check", "--source", str(site)]).exit_code == 0


def test_a_refused_write_answers_422_with_located_messages(site: Path, tmp_path: Path) -> None:
    before = (site / ANNOTATIONS).read_bytes()
    response = client(site, tmp_path).post(CLAIMS, content=json.dumps({**CLAIM, "status": "maybe"}), headers=own())
    assert response.status_code == 422
    [message] = response.json()["errors"]
    assert message.startswith(f"{ANNOTATIONS}:") and ": error: unknown status 'maybe'" in message
    assert (site / ANNOTATIONS).read_bytes() == before


@pytest.mark.parametrize("headers, body, status", [
    ({"X-Digest-Token": ""}, CLAIM, 403),
    ({"X-Digest-Token": TOKEN[:-1]}, CLAIM, 403),
    ({"Origin": "http://evil.example"}, CLAIM, 403),
    ({"Origin": "http://127.0.0.1:8001"}, CLAIM, 403),
    ({"Sec-Fetch-Site": "cross-site"}, CLAIM, 403),
    ({"Host": "evil.example:8000", "Origin": "http://evil.example:8000"}, CLAIM, 403),
    ({"Content-Type": "text/plain"}, CLAIM, 415),
    ({}, [CLAIM], 400),
    ({}, {**CLAIM, "id": "mine"}, 400),
    ({}, {**CLAIM, "sources": "transit-riders"}, 400),
    ({}, {**CLAIM, "status": 5}, 400),
    ({}, {**CLAIM, "note": "x" * (MAX_BODY + 1)}, 413),
    ({}, {k: v for k, v in CLAIM.items() if k != "status"}, 400),
])
def test_requests_that_are_not_the_previews_own_or_not_well_formed_are_refused(
        site: Path, tmp_path: Path, headers: dict, body: object, status: int) -> None:
    before = (site / ANNOTATIONS).read_bytes()
    response = client(site, tmp_path).post(CLAIMS, content=json.dumps(body), headers=own(**headers))
    assert response.status_code == status, response.text
    assert (site / ANNOTATIONS).read_bytes() == before


def test_invalid_json_and_json_constants_are_refused(site: Path, tmp_path: Path) -> None:
    preview = client(site, tmp_path)
    assert preview.post(CLAIMS, content=b'{"exact": ', headers=own()).status_code == 400
    assert preview.post(CLAIMS, content=b'{"exact": NaN}', headers=own()).status_code == 400


@pytest.mark.parametrize("slug", ["..", "RIVERTON", "riverton_bus", "no-such-article"])
def test_only_existing_article_slugs_are_accepted(site: Path, tmp_path: Path, slug: str) -> None:
    response = client(site, tmp_path).post(CLAIMS.replace("riverton-bus-fares", slug), content=json.dumps(CLAIM),
                                           headers=own())
    assert response.status_code in (404, 405)


def test_the_form_data_lists_the_scale_registries_and_claims(site: Path, tmp_path: Path) -> None:
    preview = client(site, tmp_path)
    assert preview.get("/__digest__/api/articles/riverton-bus-fares/form").status_code == 403  # no token
    data = preview.get("/__digest__/api/articles/riverton-bus-fares/form", headers={"X-Digest-Token": TOKEN}).json()
    assert [s["id"] for s in data["statuses"]] == ["confirmed", "unconfirmed", "disputed", "false"]
    assert [s["id"] for s in data["sources"]] == ["riverton-council", "riverton-gazette", "riverton-transit",
                                                  "transit-riders"]
    assert [c["id"] for c in data["claims"]] == ["vote", "savings", "earlier-rises"]
    assert "Ana Lopez" in data["claimants"]  # registered in claimants.yaml
    assert data["kinds"] == ["omission", "contradiction", "context", "correction"]


def test_the_editor_is_on_article_pages_only_and_not_when_editing_is_off(site: Path, tmp_path: Path) -> None:
    page = BeautifulSoup(client(site, tmp_path).get("/articles/riverton-bus-fares/").text, "html.parser")
    script = page.find("script", src="/__digest__/annotate.js")
    assert script is not None and script["data-token"] == TOKEN
    assert BeautifulSoup(client(site, tmp_path).get("/").text, "html.parser").find(attrs={"data-token": True}) is None
    off = client(site, tmp_path / "off", editing=False)
    assert "annotate.js" not in off.get("/articles/riverton-bus-fares/").text
    assert off.post(CLAIMS, content=json.dumps(CLAIM), headers=own()).status_code == 405


def test_a_verdict_change_writes_the_new_status(site: Path, tmp_path: Path) -> None:
    response = client(site, tmp_path).post("/__digest__/api/articles/riverton-bus-fares/claims/savings/verdict",
                                           content=json.dumps({"status": "false"}), headers=own())
    assert response.status_code == 201 and response.json()["note"] == "claim-savings"
    text = (site / ANNOTATIONS).read_text()
    assert "    status: 'false'  " in text  # quoted (a plain false is a boolean), its comment kept
    savings = next(c for c in yaml.safe_load(text)["claims"] if c["id"] == "savings")
    assert savings["status"] == "false" and savings["updated"] == datetime.date.today()
    assert savings["history"][-1] == {"date": datetime.date(2026, 1, 22), "status": "disputed"}  # kept, dated


def test_serving_on_another_address_turns_editing_off_unless_asked(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr("builder.serve.serve", lambda *args, **kwargs: calls.append(kwargs["editing"]))
    for options in (["--host", "0.0.0.0"], ["--host", "0.0.0.0", "--editing"], [], ["--no-editing"]):
        result = CliRunner().invoke(main, ["serve", "--source", str(site), *options])
        assert result.exit_code == 0 and "Traceback" not in result.output
    assert calls == [False, True, True, False]
