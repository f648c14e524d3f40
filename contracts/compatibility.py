"""Backward compatibility of a payload schema with its last published form.

A new schema is backward compatible when every message valid under the old one is still valid and means
the same: consumers on the new version can read what producers on the old version send, and old messages
replayed from a topic or its DLQ still pass. `breaking_changes` lists what breaks that:

- a required field added, or an optional field made required;
- a field removed;
- a type changed (a type no longer accepted; widening, e.g. adding null or integer to number, is fine);
- fewer allowed values (enum or const narrowed), a changed pattern or format, a tighter bound
  (minLength, maxLength, minimum, maximum, minItems, maxItems), extra fields no longer allowed;
- a changed default (old messages without the field would change meaning);
- a different topic key or cleanup policy in ``x-topic``.

It works on the JSON Schemas pydantic generates (``$ref`` into ``$defs``, ``anyOf`` for unions). It is a
pure function: no files, no models.
"""
from __future__ import annotations

import json
from typing import Any

Schema = dict[str, Any]

LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems")
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems")
_NO_DEFAULT = object()


def breaking_changes(old_schema: Schema, new_schema: Schema) -> list[str]:
    """What in `new_schema` breaks messages valid under `old_schema`; an empty list when compatible."""
    problems: list[str] = []
    old_topic, new_topic = old_schema.get("x-topic") or {}, new_schema.get("x-topic") or {}
    for attribute in ("name", "key", "cleanup"):
        if attribute in old_topic and old_topic.get(attribute) != new_topic.get(attribute):
            problems.append(f"x-topic: {attribute} changed from {old_topic.get(attribute)!r} "
                            f"to {new_topic.get(attribute)!r}")
    _Comparison(old_schema.get("$defs", {}), new_schema.get("$defs", {}), problems).node(
        old_schema, new_schema, "$")
    return problems


class _Comparison:
    def __init__(self, old_defs: Schema, new_defs: Schema, problems: list[str]) -> None:
        self.old_defs, self.new_defs, self.problems = old_defs, new_defs, problems
        self.open: set[tuple[str | None, str | None]] = set()  # the $ref pairs being compared

    def report(self, path: str, what: str) -> None:
        self.problems.append(f"{path}: {what}")

    def node(self, old: Schema, new: Schema, path: str) -> None:
        old_alternatives = _alternatives(old, self.old_defs)
        new_alternatives = _alternatives(new, self.new_defs)
        for old_ref, old_alternative in old_alternatives:
            match = _counterpart(old_alternative, new_alternatives)
            if match is None:
                self.report(path, f"type changed from {_describe(old_alternatives)} "
                                  f"to {_describe(new_alternatives)}")
                return
            new_ref, new_alternative = match
            pair = (old_ref, new_ref)
            guarded = old_ref is not None and new_ref is not None
            if guarded and pair in self.open:  # a recursive model: being compared further up already
                continue
            if guarded:
                self.open.add(pair)
            try:
                self.alternative(old_alternative, new_alternative, path)
            finally:
                if guarded:
                    self.open.discard(pair)
        self.default(old, new, path)

    def default(self, old: Schema, new: Schema, path: str) -> None:
        old_default, new_default = old.get("default", _NO_DEFAULT), new.get("default", _NO_DEFAULT)
        if old_default is not _NO_DEFAULT and new_default is not _NO_DEFAULT and old_default != new_default:
            self.report(path, f"default changed from {old_default!r} to {new_default!r}")

    def alternative(self, old: Schema, new: Schema, path: str) -> None:
        self.values(old, new, path)
        for keyword in ("pattern", "format"):
            if keyword in new and new[keyword] != old.get(keyword):
                self.report(path, f"{keyword} changed from {old.get(keyword)!r} to {new[keyword]!r}")
        for bound in LOWER_BOUNDS:
            if bound in new and (bound not in old or new[bound] > old[bound]):
                self.report(path, f"{bound} tightened from {old.get(bound)!r} to {new[bound]!r}")
        for bound in UPPER_BOUNDS:
            if bound in new and (bound not in old or new[bound] < old[bound]):
                self.report(path, f"{bound} tightened from {old.get(bound)!r} to {new[bound]!r}")
        if "object" in _types(old):
            self.object(old, new, path)
        if "array" in _types(old) and "items" in old and "items" in new:
            self.node(old["items"], new["items"], f"{path}[]")

    def values(self, old: Schema, new: Schema, path: str) -> None:
        new_values = _allowed_values(new)
        if new_values is None:
            return
        old_values = _allowed_values(old)
        if old_values is None:
            self.report(path, f"values restricted to {', '.join(sorted(new_values))}")
        elif removed := old_values - new_values:
            self.report(path, f"values no longer allowed: {', '.join(sorted(removed))}")

    def object(self, old: Schema, new: Schema, path: str) -> None:
        old_fields, new_fields = old.get("properties", {}), new.get("properties", {})
        old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
        for name in old_fields:
            if name not in new_fields:
                self.report(_join(path, name), "field removed")
        for name in sorted(new_required - old_required):
            self.report(_join(path, name),
                        "optional field made required" if name in old_fields else "required field added")
        if old.get("additionalProperties", True) is not False and new.get("additionalProperties") is False:
            self.report(path, "additional fields no longer allowed")
        for name, old_field in old_fields.items():
            if name in new_fields:
                self.node(old_field, new_fields[name], _join(path, name))


def _join(path: str, name: str) -> str:
    return name if path == "$" else f"{path}.{name}"


def _resolve(node: Schema, defs: Schema) -> tuple[str | None, Schema]:
    """The schema behind a `$ref` (or a single-member `allOf`), with the reference it came through."""
    first_ref = None
    seen: set[str] = set()
    while True:
        if "$ref" in node:
            ref = node["$ref"]
            if ref in seen or not ref.startswith("#/$defs/"):
                return first_ref, node
            first_ref = first_ref or ref
            seen.add(ref)
            node = {**defs.get(ref[len("#/$defs/"):], {}), **{k: v for k, v in node.items() if k != "$ref"}}
        elif isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
            node = {**node["allOf"][0], **{k: v for k, v in node.items() if k != "allOf"}}
        else:
            return first_ref, node


def _alternatives(node: Schema, defs: Schema) -> list[tuple[str | None, Schema]]:
    """The members of a union (flattened), each resolved; a schema that is no union is its only member."""
    ref, node = _resolve(node, defs)
    union = node.get("anyOf") or node.get("oneOf")
    if not union:
        return [(ref, node)]
    return [alternative for member in union for alternative in _alternatives(member, defs)]


def _types(node: Schema) -> frozenset[str]:
    declared = node.get("type")
    if declared is not None:
        return frozenset([declared] if isinstance(declared, str) else declared)
    values = _allowed_values(node)
    if values is not None:
        return frozenset(_json_type(json.loads(value)) for value in values)
    if "properties" in node:
        return frozenset({"object"})
    return frozenset({"any"})


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _accepts(new_types: frozenset[str], old_types: frozenset[str]) -> bool:
    if "any" in new_types:
        return True
    widened = new_types | ({"integer"} if "number" in new_types else set())
    return old_types <= widened


def _counterpart(old: Schema, candidates: list[tuple[str | None, Schema]]) -> tuple[str | None, Schema] | None:
    fitting = [c for c in candidates if _accepts(_types(c[1]), _types(old))]
    if not fitting:
        return None
    same_title = [c for c in fitting if c[1].get("title") is not None and c[1].get("title") == old.get("title")]
    return (same_title or fitting)[0]


def _allowed_values(node: Schema) -> set[str] | None:
    if "const" in node:
        return {json.dumps(node["const"], sort_keys=True)}
    if "enum" in node:
        return {json.dumps(value, sort_keys=True) for value in node["enum"]}
    return None


def _describe(alternatives: list[tuple[str | None, Schema]]) -> str:
    return "|".join(sorted({t for _, alternative in alternatives for t in _types(alternative)}))
