"""The JSON Schema agrees with the validator: what one accepts, the other accepts."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from builder.cli import main
from builder.stages.schema import document_schemas
from conftest import REPO

SCHEMAS = document_schemas()


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
])
def test_the_schema_rejects_what_the_validator_rejects(document, reason):
    with pytest.raises(jsonschema.ValidationError) as error:
        jsonschema.validate(document, SCHEMAS["annotations"])
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
