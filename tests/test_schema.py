"""The JSON Schema agrees with the validator: what one accepts, the other accepts."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from builder.build import check
from builder.cli import main
from builder.stages.diagnostics import ContentErrors
from builder.stages.schema import document_schemas
from conftest import REPO, article, make_site

SCHEMAS = document_schemas()


# Where each kind of document lives in a site, for the validator's side of each comparison.
DOCUMENT_PATHS = {"annotations": "content/articles/story.yaml", "claimants": "content/claimants.yaml",
                  "config": "site/config.yaml", "sources": "content/sources.yaml"}


def validator_errors(tmp_path, schema_name: str, document) -> list[str]:
    """What `digest check` reports as errors for `document` (file:line:column: error: message)."""
    site = make_site(tmp_path / "site", {"content/articles/story.md": article(),
                                         DOCUMENT_PATHS[schema_name]: yaml.safe_dump(document)})
    try:
        check(site)
    except ContentErrors as errors:
        return [str(diagnostic) for diagnostic in errors.diagnostics]
    return []


def as_json_types(value):
    """YAML values as a YAML language server sees them (dates stay strings in YAML 1.2)."""
    return json.loads(json.dumps(value, default=str))


@pytest.mark.parametrize("schema_name, path", [
    ("annotations", "content/articles/trump-xi-call-2026-02-04.yaml"),
    ("sources", "content/sources.yaml"),
    ("topics", "content/topics.yaml"),
    ("config", "site/config.yaml"),
])
def test_the_default_digest_is_valid_against_the_schema(schema_name, path):
    data = as_json_types(yaml.safe_load((REPO / path).read_text(encoding="utf-8")))
    jsonschema.validate(data, SCHEMAS[schema_name])


@pytest.mark.parametrize("schema_name, path", [
    ("annotations", "tests/sites/desk/content/articles/water-tariffs.yaml"),
    ("annotations", "tests/sites/desk/content/articles/budget-vote.yaml"),
    ("annotations", "builder/starter/content/articles/riverton-bus-fares.yaml"),
    ("claimants", "tests/sites/desk/content/claimants.yaml"),
    ("claimants", "builder/starter/content/claimants.yaml"),
    ("sources", "tests/sites/desk/content/sources.yaml"),
    ("config", "tests/sites/desk/site/config.yaml"),
])
def test_verdict_histories_citations_claimants_and_source_kinds_are_valid_against_the_schema(schema_name, path):
    data = as_json_types(yaml.safe_load((REPO / path).read_text(encoding="utf-8")))
    jsonschema.validate(data, SCHEMAS[schema_name])


def test_front_matter_of_the_default_article_is_valid():
    text = (REPO / "content/articles/trump-xi-call-2026-02-04.md").read_text(encoding="utf-8")
    front = as_json_types(yaml.safe_load(text.split("---\n")[1]))
    jsonschema.validate(front, SCHEMAS["front-matter"])


@pytest.mark.parametrize("document, reason", [
    ({"claims": [{"id": "a", "quote": "q", "status": "s", "source": ["x"]}]}, "source"),
    ({"claims": [{"id": "a", "quote": "q", "status": "s", "sources": []}]}, "sources"),
    ({"caveats": [{"id": "a", "kind": "rumour", "text": "t"}]}, "rumour"),
    ({"claims": [{"id": "Not An Id", "quote": "q", "status": "s", "sources": ["x"]}]}, "Not An Id"),
    ({"sources": [{"id": "x", "name": "X", "url": "javascript:alert(1)"}]}, "javascript"),
    ({"claims": [{"id": "a", "quote": "q", "status": "s", "sources": [{"id": "x", "archive-url": "https://a.b/"}]}]},
     "archive-url"),
    ({"claims": [{"id": "a", "quote": "q", "status": "s", "sources": [{"id": "x", "url": "ftp://a.b/c"}]}]}, "ftp"),
    ({"claims": [{"id": "a", "quote": "q", "status": "s", "sources": [{"url": "https://a.b/c"}]}]}, "'id'"),
    ({"claims": [{"id": "a", "quote": "q", "status": "s", "sources": ["x"], "updated": "20 March"}]}, "20 March"),
    ({"claims": [{"id": "a", "quote": "q", "status": "s", "sources": ["x"], "history": [{"status": "t"}]}]}, "date"),
    ({"claims": [{"id": "a", "quote": "q", "status": "s", "sources": ["x"],
                  "history": [{"date": "2026-01-01", "status": "t", "why": "w"}]}]}, "why"),
    ({"caveats": [{"id": "a", "kind": "correction", "text": "t", "date": "yesterday"}]}, "yesterday"),
])
def test_the_schema_rejects_what_the_validator_rejects(tmp_path, document, reason):
    errors = validator_errors(tmp_path, "annotations", document)
    assert any(reason in message for message in errors), errors
    with pytest.raises(jsonschema.ValidationError) as error:
        jsonschema.validate(document, SCHEMAS["annotations"], format_checker=jsonschema.FormatChecker())
    assert reason in str(error.value)


@pytest.mark.parametrize("schema_name, document, reason", [
    ("claimants", {"trump": {"name": "Donald Trump", "website": "https://x.y/"}}, "website"),
    ("claimants", {"trump": {"aliases": ["Trump"]}}, "name"),
    ("claimants", {"trump": {"name": "Donald Trump", "aliases": ""}}, "aliases"),
    ("claimants", {"Donald Trump": {"name": "Donald Trump"}}, "Donald Trump"),
    ("config", {"title": "T", "source_kinds": ["Statistics office"]}, "Statistics office"),
    ("sources", {"census": {"name": "Census", "kind": "statistics office"}}, "statistics office"),
])
def test_the_registry_and_config_schemas_reject_what_the_validator_rejects(tmp_path, schema_name, document, reason):
    errors = validator_errors(tmp_path, schema_name, document)
    assert any(reason in message for message in errors), errors
    with pytest.raises(jsonschema.ValidationError) as error:
        jsonschema.validate(document, SCHEMAS[schema_name])
    assert reason in str(error.value)


def test_digest_schema_prints_the_annotation_schema_and_writes_all(tmp_path):
    printed = CliRunner().invoke(main, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == SCHEMAS["annotations"]
    written = CliRunner().invoke(main, ["schema", "--out", str(tmp_path / "schemas")])
    assert written.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == [
        "annotations.schema.json", "claimants.schema.json", "config.schema.json", "front-matter.schema.json",
        "sources.schema.json", "topics.schema.json"]


def test_the_schema_command_offers_every_schema() -> None:
    from builder.cli import SCHEMA_NAMES
    assert SCHEMA_NAMES == sorted(document_schemas())
