"""Every topic's payload schema stays backward compatible with its committed (last published) form, and the
committed files match the models, so any contract change is a conscious one."""
from __future__ import annotations

import copy
import json
from typing import Literal

import pytest

from contracts.compatibility import breaking_changes
from contracts.events.common import Contract
from contracts.schemas import SCHEMA_DIRECTORY, SUFFIX, export_json_schemas, published_topics, topic_schema

pytestmark = pytest.mark.unit


def obj(properties: dict, required=(), **extra) -> dict:
    return {"type": "object", "properties": properties, "required": list(required),
            "additionalProperties": False, **extra}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NULLABLE_INTEGER = {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}
KIND = {"enum": ["card", "member_number"], "type": "string"}
BASE = {
    "$defs": {"Line": obj({"amount_cents": INTEGER, "note": {**NULLABLE_INTEGER}}, ["amount_cents"])},
    "x-topic": {"name": "t.v1", "key": "receipt id", "cleanup": "delete"},
    **obj({
        "receipt_id": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 64},
        "total_cents": INTEGER,
        "kind": KIND,
        "channel": {"enum": ["store", "online"], "type": "string", "default": "store"},
        "return_of": {"anyOf": [STRING, {"type": "null"}], "default": None},
        "lines": {"type": "array", "items": {"$ref": "#/$defs/Line"}},
        "identifier": {"$ref": "#/$defs/Line"},
    }, ["receipt_id", "total_cents", "kind", "lines"]),
}


def changed(edit) -> dict:
    schema = copy.deepcopy(BASE)
    edit(schema)
    return schema


def props(schema: dict) -> dict:
    return schema["properties"]


def rename_def(schema: dict) -> None:
    schema["$defs"]["ReceiptLine"] = schema["$defs"].pop("Line")
    props(schema)["lines"]["items"]["$ref"] = "#/$defs/ReceiptLine"
    props(schema)["identifier"]["$ref"] = "#/$defs/ReceiptLine"


COMPATIBLE = [
    ("identical", lambda s: None),
    ("optional field added", lambda s: props(s).update(comment={"anyOf": [STRING, {"type": "null"}]})),
    ("required field made optional", lambda s: s["required"].remove("total_cents")),
    ("null now accepted", lambda s: props(s).update(total_cents=NULLABLE_INTEGER)),
    ("integer widened to number", lambda s: props(s).update(total_cents={"type": "number"})),
    ("enum value added", lambda s: props(s)["kind"]["enum"].append("digital_token")),
    ("description and title changed", lambda s: props(s)["kind"].update(description="how", title="Kind")),
    ("maxLength loosened", lambda s: props(s)["receipt_id"].update(maxLength=128)),
    ("optional field added to a nested model",
     lambda s: s["$defs"]["Line"]["properties"].update(unit={"type": "string", "default": "pcs"})),
    ("nested model renamed, same shape", rename_def),
    ("extra fields forbidden as before", lambda s: s.update(additionalProperties=False)),
]

BREAKING = [
    ("required field added", lambda s: (props(s).update(outlet_id=STRING), s["required"].append("outlet_id")),
     "outlet_id: required field added"),
    ("field removed", lambda s: props(s).pop("return_of"), "return_of: field removed"),
    ("type changed", lambda s: props(s).update(total_cents=STRING),
     "total_cents: type changed from integer to string"),
    ("null no longer accepted", lambda s: props(s).update(return_of=STRING),
     "return_of: type changed from null|string to string"),
    ("optional field made required", lambda s: s["required"].append("return_of"),
     "return_of: optional field made required"),
    ("enum value removed", lambda s: props(s)["kind"]["enum"].remove("member_number"),
     "kind: values no longer allowed"),
    ("const narrows a free string", lambda s: props(s).update(return_of={"const": "x", "type": "string"}),
     "values restricted"),
    ("nested field removed", lambda s: s["$defs"]["Line"]["properties"].pop("note"),
     "identifier.note: field removed"),
    ("array item field type changed",
     lambda s: s["$defs"]["Line"]["properties"].update(amount_cents=STRING), "lines[].amount_cents: type changed"),
    ("array items type changed", lambda s: props(s)["lines"].update(items=STRING), "lines[]: type changed"),
    ("pattern changed", lambda s: props(s)["receipt_id"].update(pattern="^[a-z0-9]+$"),
     "receipt_id: pattern changed"),
    ("maxLength tightened", lambda s: props(s)["receipt_id"].update(maxLength=32),
     "receipt_id: maxLength tightened"),
    ("minimum added", lambda s: props(s)["total_cents"].update(minimum=0), "total_cents: minimum tightened"),
    ("default changed", lambda s: props(s)["channel"].update(default="online"),
     "channel: default changed"),
    ("topic key changed", lambda s: s["x-topic"].update(key="household id"), "x-topic: key changed"),
    ("topic cleanup changed", lambda s: s["x-topic"].update(cleanup="compact"), "x-topic: cleanup changed"),
]


@pytest.mark.parametrize("edit", [case[1] for case in COMPATIBLE], ids=[case[0] for case in COMPATIBLE])
def test_compatible_changes_are_not_reported(edit):
    assert breaking_changes(BASE, changed(edit)) == []


@pytest.mark.parametrize("edit, expected", [(case[1], case[2]) for case in BREAKING],
                         ids=[case[0] for case in BREAKING])
def test_breaking_changes_are_reported(edit, expected):
    problems = breaking_changes(BASE, changed(edit))
    assert any(expected in problem for problem in problems), problems


def test_additional_fields_no_longer_allowed_is_breaking():
    old = obj({"a": STRING}, additionalProperties=True)
    assert breaking_changes(old, obj({"a": STRING})) == ["$: additional fields no longer allowed"]


def test_recursive_models_terminate():
    node = {"$defs": {"Node": obj({"child": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}})},
            "$ref": "#/$defs/Node"}
    assert breaking_changes(node, copy.deepcopy(node)) == []


def test_every_change_is_listed():
    def edit(s):
        props(s).pop("return_of")
        props(s).update(total_cents=STRING)
    assert len(breaking_changes(BASE, changed(edit))) == 2


class Address(Contract):
    street: str
    city: str


class PersonV1(Contract):
    name: str
    address: Address | None = None
    tags: list[Literal["a", "b"]] = []


class PersonCompatible(Contract):
    name: str
    address: Address | None = None
    tags: list[Literal["a", "b", "c"]] = []
    language: Literal["fi", "sv", "en"] | None = None


class AddressV2(Contract):
    street: str
    postal_code: str


class PersonBreaking(Contract):
    name: int
    address: AddressV2 | None = None
    tags: list[Literal["a"]] = []
    language: Literal["fi", "sv", "en"]


def test_pydantic_models_compatible_change():
    assert breaking_changes(PersonV1.model_json_schema(), PersonCompatible.model_json_schema()) == []


def test_pydantic_models_breaking_change():
    problems = breaking_changes(PersonV1.model_json_schema(), PersonBreaking.model_json_schema())
    assert sorted(problems) == sorted([
        "name: type changed from string to integer",
        "address.city: field removed",
        "address.postal_code: required field added",
        'tags[]: values no longer allowed: "b"',
        "language: required field added",
    ])


PUBLISHED = published_topics()


@pytest.mark.parametrize("stem, topic", PUBLISHED, ids=[stem for stem, _ in PUBLISHED])
def test_model_is_backward_compatible_with_committed_schema(stem, topic):
    path = SCHEMA_DIRECTORY / f"{stem}{SUFFIX}"
    assert path.exists(), f"{path.name} is missing: run `python -m contracts.schemas` and commit it"
    committed = json.loads(path.read_text(encoding="utf-8"))
    problems = breaking_changes(committed, topic_schema(topic))
    assert problems == [], f"{stem}: breaking changes need a new topic version: {problems}"


def test_no_committed_schema_lost_its_topic():
    committed = {path.name for path in SCHEMA_DIRECTORY.glob(f"*{SUFFIX}")}
    current = {f"{stem}{SUFFIX}" for stem, _ in PUBLISHED}
    assert committed - current == set(), "a published topic was removed: that breaks its producers"


def test_committed_schemas_are_up_to_date(tmp_path):
    written = export_json_schemas(tmp_path)
    assert len(written) == len(PUBLISHED)
    stale = [path.name for path in written
             if not (SCHEMA_DIRECTORY / path.name).exists()
             or (SCHEMA_DIRECTORY / path.name).read_text(encoding="utf-8") != path.read_text(encoding="utf-8")]
    assert stale == [], f"regenerate with `python -m contracts.schemas` and commit: {stale}"


def test_schema_files_name_their_topic():
    for stem, topic in PUBLISHED:
        schema = json.loads((SCHEMA_DIRECTORY / f"{stem}{SUFFIX}").read_text(encoding="utf-8"))
        assert schema["x-topic"] == {"name": topic.name, "key": topic.key, "cleanup": topic.cleanup}
        assert schema["additionalProperties"] is False
