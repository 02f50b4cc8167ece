"""JSON Schema of the content files, generated from the same Shapes the validator uses.

Editors point their YAML language server at it for completion and inline validation.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from .shapes import (ANNOTATIONS, CLAIMANT, CONFIG, FRONT_MATTER, ID_PATTERN, LANGUAGE_PATTERN, MAX_COUNT, SOURCE, TOPIC,
                     Field, Shape)

_URL_PATTERN = r"^(?![A-Za-z][A-Za-z0-9+.\-]*:)|^(?:https?|mailto):"


def _field_schema(spec: Field) -> dict[str, Any]:
    kind = spec.kind
    schema: dict[str, Any]
    if kind in ("text", "markdown"):
        schema = {"type": "string"}
        if kind == "text":
            schema["minLength"] = 1
    elif kind == "id":
        # `status: false` is the id 'false' as written (the default scale has it), though YAML reads a boolean.
        schema = {"anyOf": [{"type": "string", "pattern": ID_PATTERN.pattern}, {"type": "boolean"}]}
    elif kind == "ids":
        schema = {"type": "array", "items": {"type": "string", "pattern": ID_PATTERN.pattern}}
        if spec.required:
            schema["minItems"] = 1
    elif kind == "date":
        schema = {"type": "string", "format": "date"}
    elif kind == "bool":
        schema = {"type": "boolean"}
    elif kind == "url":
        schema = {"type": "string", "pattern": _URL_PATTERN}
    elif kind == "absolute-url":
        schema = {"type": "string", "format": "uri", "pattern": r"^https?://"}
    elif kind == "web-url":
        schema = {"type": "string", "format": "uri", "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^/\s?#]+\S*$"}
    elif kind == "source-kind":  # the config's source_kinds, which a schema of one file cannot know
        schema = {"type": "string", "pattern": ID_PATTERN.pattern}
    elif kind == "texts":
        schema = {"type": "array", "items": {"type": "string", "minLength": 1}}
    elif kind == "language":
        schema = {"type": "string", "pattern": LANGUAGE_PATTERN.pattern}
    elif kind == "choice":
        schema = {"enum": list(spec.choices)}
    elif kind == "rating":
        schema = {"type": "integer", "minimum": 1, "maximum": 5}
    elif kind == "count":
        schema = {"type": "integer", "minimum": 1, "maximum": MAX_COUNT}
    elif kind == "record":
        assert spec.shape is not None
        schema = shape_schema(spec.shape)
    elif kind == "records":
        assert spec.shape is not None
        schema = {"type": "array", "items": shape_schema(spec.shape)}
    elif kind == "citations":
        assert spec.shape is not None
        schema = {"type": "array", "items": {"anyOf": [{"type": "string", "pattern": ID_PATTERN.pattern},
                                                       shape_schema(spec.shape)]}}
        if spec.required:
            schema["minItems"] = 1
    else:  # pragma: no cover - a new kind must be added here too
        raise AssertionError(f"no JSON Schema for field kind {kind}")
    schema["description"] = spec.description
    return schema


def shape_schema(shape: Shape) -> dict[str, Any]:
    """An object schema: known keys only, required ones listed."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {spec.name: _field_schema(spec) for spec in shape.fields},
        "additionalProperties": False,
    }
    required = [spec.name for spec in shape.fields if spec.required]
    if required:
        schema["required"] = required
    return schema


def _registry_schema(shape: Shape, what: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"{what}: ids mapped to their fields.",
        "propertyNames": {"pattern": ID_PATTERN.pattern},
        "additionalProperties": shape_schema(shape),
    }


def document_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema per kind of content file, by name."""
    base = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    return {
        "annotations": {**base, "title": f"digest {__version__}: content/articles/<slug>.yaml",
                        **shape_schema(ANNOTATIONS)},
        "front-matter": {**base, "title": f"digest {__version__}: article front matter",
                         **shape_schema(FRONT_MATTER)},
        "sources": {**base, "title": f"digest {__version__}: content/sources.yaml",
                    **_registry_schema(SOURCE, "Sources")},
        "topics": {**base, "title": f"digest {__version__}: content/topics.yaml",
                   **_registry_schema(TOPIC, "Topics")},
        "config": {**base, "title": f"digest {__version__}: site/config.yaml", **shape_schema(CONFIG)},
        "claimants": {**base, "title": f"digest {__version__}: content/claimants.yaml",
                      **_registry_schema(CLAIMANT, "Claimants")},
    }
