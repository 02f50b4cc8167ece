"""Safe YAML that remembers where every key and value came from.

PyYAML's composed nodes carry marks; we build plain values from them ourselves so that
every mapping and list keeps the location of its items, and so that alias bombs and
unsupported tags are located errors instead of hangs or arbitrary objects.
"""

from __future__ import annotations

import datetime
from typing import Any

import yaml

from .diagnostics import ContentErrors, Diagnostic, Location

try:  # the C loader is several times faster; the pure-Python one behaves the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

# A legitimate annotation file has hundreds of nodes; aliases can make a few lines
# expand to billions ("billion laughs"), so expansion is capped.
MAX_NODES = 100_000
MAX_DEPTH = 64


class YamlMap(dict):
    """A mapping with the location of the mapping, of each key and of each value."""

    def __init__(self, at: Location) -> None:
        super().__init__()
        self.at = at
        self.key_at: dict[str, Location] = {}
        self.value_at: dict[str, Location] = {}
        self.scalar_text: dict[str, str] = {}  # each scalar value as written, before typing


class YamlList(list):
    """A list with the location of the list and of each item."""

    def __init__(self, at: Location) -> None:
        super().__init__()
        self.at = at
        self.item_at: list[Location] = []
        self.scalar_text: list[str | None] = []  # each scalar item as written, before typing


_SCALARS = yaml.constructor.SafeConstructor()
_CONSTRUCT = {
    "tag:yaml.org,2002:null": lambda node: None,
    "tag:yaml.org,2002:bool": _SCALARS.construct_yaml_bool,
    "tag:yaml.org,2002:int": _SCALARS.construct_yaml_int,
    "tag:yaml.org,2002:float": _SCALARS.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _SCALARS.construct_yaml_timestamp,
    "tag:yaml.org,2002:str": lambda node: node.value,
}

_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def type_name(value: Any) -> str:
    """How a YAML value's type reads in an error message."""
    if isinstance(value, YamlMap):
        return "a mapping"
    if isinstance(value, YamlList):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    return "text"


class _Builder:
    def __init__(self, path: str, line_offset: int) -> None:
        self.path = path
        self.line_offset = line_offset
        self.nodes = 0

    def at(self, node: yaml.Node) -> Location:
        mark = node.start_mark
        return Location(self.path, mark.line + 1 + self.line_offset, mark.column + 1)

    def fail(self, node: yaml.Node, message: str) -> None:
        raise ContentErrors([Diagnostic(self.at(node), message)])

    def value(self, node: yaml.Node, depth: int = 0) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail(node, f"YAML expands to more than {MAX_NODES} values (too many aliases?)")
        if depth > MAX_DEPTH:
            self.fail(node, f"YAML is nested more than {MAX_DEPTH} levels deep (a recursive alias?)")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            self.fail(node, f"unsupported YAML tag '{node.tag}'")
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, depth)
        if isinstance(node, yaml.SequenceNode):
            items = YamlList(self.at(node))
            for item in node.value:
                items.append(self.value(item, depth + 1))
                items.item_at.append(self.at(item))
                items.scalar_text.append(item.value if isinstance(item, yaml.ScalarNode) else None)
            return items
        construct = _CONSTRUCT.get(node.tag)
        if construct is None:
            self.fail(node, f"unsupported YAML tag '{node.tag}'")
        try:
            return construct(node)
        except (ValueError, OverflowError):
            kind = {"timestamp": "date"}.get(node.tag.rsplit(":", 1)[-1], node.tag.rsplit(":", 1)[-1])
            self.fail(node, f"'{node.value}' is not a valid {kind}")

    def mapping(self, node: yaml.MappingNode, depth: int) -> YamlMap:
        result = YamlMap(self.at(node))
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.fail(key_node, "YAML merge keys ('<<') are not supported; write the keys out")
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "a key must be plain text, not a list or mapping")
            # The key as written: YAML 1.1 would turn `no:` into False and `2026:` into 2026.
            key = key_node.value
            if key in result:
                first = result.key_at[key]
                self.fail(key_node, f"duplicate key '{key}' (first defined on line {first.line})")
            result[key] = self.value(value_node, depth + 1)
            result.key_at[key] = self.at(key_node)
            result.value_at[key] = self.at(value_node)
            if isinstance(value_node, yaml.ScalarNode):
                result.scalar_text[key] = value_node.value
        return result


def parse_yaml(text: str, path: str, line_offset: int = 0) -> Any:
    """Parse one YAML document into plain values (YamlMap, YamlList, scalars).

    Raises ContentErrors with the location of a syntax error or an unsafe construct.
    An empty document gives None.
    """
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 + line_offset if mark else 1 + line_offset
        column = mark.column + 1 if mark else 1
        problem = error.problem or error.context or "invalid YAML"
        if error.context and error.problem:
            problem = f"{error.context}, {error.problem}"
        if "block" in problem or "indentation" in problem:
            problem += " (check the indentation)"
        raise ContentErrors([Diagnostic(Location(path, line, column), f"YAML syntax: {problem}")]) from None
    except yaml.YAMLError as error:  # reader errors: control characters and the like
        raise ContentErrors([Diagnostic(Location(path, 1 + line_offset), f"YAML: {error}")]) from None
    if node is None:
        return None
    return _Builder(path, line_offset).value(node)
