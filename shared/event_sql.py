"""Event JSON and envelope headers built in SQL, generated from the contracts.

Where millions of events are made from rows (a month close's payouts and statements, an ingest's accepted
purchases), their JSON is built by the statement that reads or writes the rows: a Python object per event
would cost more than all the rest of the work. That SQL is generated here from the contract's pydantic
model and a mapping of its fields to SQL expressions, never written by hand, so it cannot drift from the
contract: a mapping that misses a required field or names one the model does not have is refused when the
SQL is built (at import), and the text comes out in the model's field order, as `model_dump_json` writes
it (tests run the generated SQL against the models).

The JSON is built by concatenating text (`||`): json_build_object builds a json datum and then its text,
which costs more per event, and escapes what needs no escaping. Values are escaped with to_json only where
they may hold a character JSON escapes: strings, unless their contract's pattern admits none; integers go
in as they are. A field that is null in SQL is `null`, as json_build_object would write it (see _guarded).
"""
from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from re import _parser as sre_parse  # type: ignore[attr-defined]  # what a pattern's characters can be
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, TypeAdapter
from pydantic.fields import FieldInfo

from contracts.envelope import ATTRIBUTES, PREFIX, Envelope


@dataclasses.dataclass(frozen=True)
class Json:
    """An SQL expression that is already the field's JSON (a json or jsonb column): put in as its text."""

    sql: str


@dataclasses.dataclass(frozen=True)
class Const:
    """A value the field always has in this SQL, checked against the field's type when the SQL is built."""

    value: Any


@dataclasses.dataclass(frozen=True)
class When:
    """One element of a list of fixed elements (`Elements`), present when the SQL `condition` holds."""

    condition: str
    fields: Mapping[str, Value]


@dataclasses.dataclass(frozen=True)
class Elements:
    """A list field's elements: one per `When` whose condition holds, in that order."""

    model: type[BaseModel]
    cases: Sequence[When]


@dataclasses.dataclass(frozen=True)
class Listed:
    """A list field's JSON from `sql`: a column of `json_list_agg` of the same model (a grouped subquery's,
    joined), null meaning no elements (the outer join found none): an empty list."""

    model: type[BaseModel]
    sql: str


Value = Union[str, Json, Const, Elements, Listed]  # str: an SQL expression of the field's value


class _Literal(str):
    """JSON text known when the SQL is built (merged with its neighbours into one SQL string literal)."""


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _concat(pieces: Sequence[str]) -> str:
    """`pieces` (literals and SQL text expressions) concatenated, adjacent literals merged."""
    merged: list[str] = []
    for piece in pieces:
        if isinstance(piece, _Literal) and merged and isinstance(merged[-1], _Literal):
            merged[-1] = _Literal(merged[-1] + piece)
        else:
            merged.append(piece)
    return " || ".join(_sql_literal(p) if isinstance(p, _Literal) else p for p in merged)


_SIMPLE = re.compile(r"^(\$[0-9]+|[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?)$")


def _operand(sql: str) -> str:
    """An expression safe beside `||` and casts: a column or parameter as it is, anything else parenthesized."""
    return sql if _SIMPLE.match(sql.strip()) else f"({sql})"


# Characters a JSON string must escape: the quote, the backslash and the control characters.
_ESCAPED = frozenset({ord('"'), ord("\\"), *range(0x20)})
_SAFE_CATEGORIES = {sre_parse.CATEGORY_DIGIT, sre_parse.CATEGORY_WORD}


def _pattern_needs_no_escaping(pattern: str) -> bool:
    """Whether every string the (anchored) pattern matches is free of what JSON escapes: then the SQL value
    goes in between quotes as it is. A value breaking the pattern breaks its contract anyway."""
    parsed = list(sre_parse.parse(pattern))
    if (not parsed or parsed[0] != (sre_parse.AT, sre_parse.AT_BEGINNING)
            or parsed[-1] not in ((sre_parse.AT, sre_parse.AT_END), (sre_parse.AT, sre_parse.AT_END_STRING))):
        return False  # pydantic searches: an unanchored pattern admits anything around its match

    def safe(items) -> bool:
        for op, arg in items:
            if op is sre_parse.LITERAL:
                if arg in _ESCAPED:
                    return False
            elif op is sre_parse.IN:
                for kind, value in arg:
                    if kind is sre_parse.LITERAL and value in _ESCAPED:
                        return False
                    if kind is sre_parse.RANGE and any(c in _ESCAPED for c in range(value[0], value[1] + 1)):
                        return False
                    if kind is sre_parse.CATEGORY and value not in _SAFE_CATEGORIES:
                        return False
                    if kind not in (sre_parse.LITERAL, sre_parse.RANGE, sre_parse.CATEGORY):
                        return False  # a negated class, …
            elif op in (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT):
                if not safe(arg[2]):
                    return False
            elif op is sre_parse.SUBPATTERN:
                if not safe(arg[-1]):
                    return False
            elif op is sre_parse.BRANCH:
                if not all(safe(branch) for branch in arg[1]):
                    return False
            elif op is not sre_parse.AT:
                return False  # any character, a negated literal, a back reference, …
        return True

    return safe(parsed)


def _pattern_of(info: FieldInfo) -> str | None:
    for item in info.metadata:
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            return pattern
    return None


def _optional(annotation: Any) -> tuple[Any, bool]:
    """The annotation without `| None`, and whether it had it."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], len(args) < len(get_args(annotation))
    return annotation, False


def _adapter(info: FieldInfo) -> TypeAdapter[Any]:
    annotation: Any = info.annotation  # a model field always has one
    return TypeAdapter(Annotated[annotation, *info.metadata] if info.metadata else annotation)


def _const(info: FieldInfo, value: Any) -> _Literal:
    adapter = _adapter(info)
    return _Literal(adapter.dump_json(adapter.validate_python(value)).decode())


def _value(model: type[BaseModel], name: str, info: FieldInfo, value: Value, safe: bool) -> list[str]:
    """The pieces of one field's JSON value; `safe`: null when the SQL is, whatever the contract says."""
    annotation, nullable = _optional(info.annotation)
    nullable = nullable or safe

    def null_safe(sql: str) -> list[str]:
        return [f"coalesce({sql}, 'null')" if nullable else sql]

    where = f"{model.__name__}.{name}"
    if isinstance(value, Const):
        return [_const(info, value.value)]
    if isinstance(value, Json):
        return null_safe(f"{_operand(value.sql)}::text")
    if isinstance(value, (Elements, Listed)):
        if get_origin(annotation) is not list or get_args(annotation)[0] is not value.model:
            raise ValueError(f"{where}: a list of {value.model.__name__} given for a field of {annotation}")
        return _list(value)  # its elements guarded each
    if not isinstance(value, str):
        raise ValueError(f"{where}: not an SQL expression: {value!r}")
    if annotation is int:  # a number's text is its JSON
        return null_safe(f"{_operand(value)}::text") if nullable else [_operand(value)]
    if annotation is date or (annotation is str and _plain(info)) or _plain_literal(annotation):
        quoted = [_Literal('"'), _operand(value), _Literal('"')]
        return null_safe(_concat(quoted)) if nullable else quoted
    if annotation is str or get_origin(annotation) is Literal:
        return null_safe(f"to_json({_operand(value)}::text)::text")
    if annotation in (datetime, AwareDatetime):  # ISO 8601 with its offset, as PostgreSQL writes a timestamptz
        return null_safe(f"to_json({_operand(value)}::timestamptz)::text")
    raise ValueError(f"{where}: no SQL expression makes a {annotation}: give its JSON (Json) or a value (Const)")


def _plain(info: FieldInfo) -> bool:
    pattern = _pattern_of(info)
    return pattern is not None and _pattern_needs_no_escaping(pattern)


def _plain_literal(annotation: Any) -> bool:
    return get_origin(annotation) is Literal and all(
        isinstance(v, str) and not any(ord(c) in _ESCAPED for c in v) for v in get_args(annotation))


def _checked(model: type[BaseModel], fields: Mapping[str, Value]) -> None:
    unknown = sorted(set(fields) - set(model.model_fields))
    if unknown:
        raise ValueError(f"{model.__name__} has no field {', '.join(unknown)}")
    missing = [n for n, info in model.model_fields.items() if info.is_required() and n not in fields]
    if missing:
        raise ValueError(f"{model.__name__}: no SQL for the required field(s) {', '.join(missing)}")


def _members(model: type[BaseModel], fields: Mapping[str, Value], safe: bool) -> list[tuple[str, list[str]]]:
    """Each field of the model, in its order, as the pieces of `"name":value`; a field left out of the
    mapping has its default."""
    _checked(model, fields)
    members = []
    for name, info in model.model_fields.items():
        key = _Literal(f'"{name}":')
        if name in fields:
            members.append((name, [key, *_value(model, name, info, fields[name], safe)]))
        else:
            members.append((name, [key, _const(info, info.get_default(call_default_factory=True))]))
    return members


def _joined(members: Sequence[tuple[str, list[str]]], first: bool) -> list[str]:
    pieces: list[str] = []
    for i, (_, member) in enumerate(members):
        pieces += ([_Literal(",")] if i or not first else []) + member
    return pieces


def _guarded(make) -> str:
    """`make(safe)`'s SQL, fast, and where that is null (a field the contract requires is null in SQL:
    `||` makes the whole null) the same with every null field `null`, as json_build_object writes it: an
    event its consumers refuse by name, never a missing one or a tombstone. The second is evaluated only
    for such a row."""
    fast, safe = _concat(make(False)), _concat(make(True))
    return fast if fast == safe else f"coalesce({fast}, {safe})"


def _object(model: type[BaseModel], fields: Mapping[str, Value]) -> str:
    return _guarded(lambda safe: [_Literal("{"), *_joined(_members(model, fields, safe), True), _Literal("}")])


def _list(value: Elements | Listed) -> list[str]:
    if isinstance(value, Listed):
        return [f"coalesce({_operand(value.sql)}, '[]')"]
    if not value.cases:
        raise ValueError(f"a list of {value.model.__name__} with no elements: give it as Const([])")
    cases = ", ".join(f"CASE WHEN {c.condition} THEN {_object(value.model, c.fields)} END" for c in value.cases)
    return [_Literal("["), f"concat_ws(',', {cases})", _Literal("]")]


def json_sql(model: type[BaseModel], fields: Mapping[str, Value]) -> str:
    """An SQL text expression whose value is the JSON `model(...).model_dump_json()` writes of the fields'
    values. `fields`: each field's value (Value); a field with a default may be left out and has it."""
    return _object(model, fields)


def json_list_agg(model: type[BaseModel], fields: Mapping[str, Value], order_by: str) -> str:
    """An aggregate SQL expression (for a GROUP BY) whose value is the JSON list of the group's rows as
    `model` objects, in `order_by` order: what `Listed` puts in a list field. Grouped in a subquery and
    joined, a batch of events' lists are built in one pass; a subquery per event paid an executor start and
    an index descent for each."""
    return f"'[' || string_agg({_object(model, fields)}, ',' ORDER BY {order_by}) || ']'"


def json_sql_split(model: type[BaseModel], fields: Mapping[str, Value], at: str) -> tuple[str, str]:
    """`json_sql` in two parts that concatenate to it: the object up to field `at` without its closing
    brace (a body kept until what `at` names is known), and the rest from `at` (`,"at":…}`)."""
    names = list(model.model_fields)
    if at not in names[1:]:
        raise ValueError(f"{model.__name__}: cannot split at {at!r}, not a field after the first")
    cut = names.index(at)
    head = _guarded(lambda safe: [_Literal("{"), *_joined(_members(model, fields, safe)[:cut], True)])
    tail = _guarded(lambda safe: [*_joined(_members(model, fields, safe)[cut:], False), _Literal("}")])
    return head, tail


def envelope_headers_sql(further: str = "ARRAY[]::text[]", **attributes: str) -> str:
    """SQL for the headers of events built where their rows are (an INSERT INTO outbox ... SELECT), as
    `shared.outbox.stored_headers` writes them: names and values in one JSON array, in the envelope's
    order. `attributes` maps envelope attributes (contracts/envelope.py) to SQL text expressions, null
    where an event has no such attribute (the relay leaves it out); one left out has the envelope's
    default, and one without a default must be given. `further`: a text[] of more names and values (the
    trace context). An array of text to JSON in one call is what keeps this cheap per event."""
    unknown = sorted(set(attributes) - set(ATTRIBUTES))
    if unknown:
        raise ValueError(f"not envelope attributes: {unknown}")
    envelope = {f.name: f for f in dataclasses.fields(Envelope)}
    parts = []
    for name in ATTRIBUTES:
        if name in attributes:
            sql = attributes[name]
        else:
            default = envelope[name].default
            if default is dataclasses.MISSING:  # none, or one made in Python (an id, the time)
                raise ValueError(f"envelope attribute {name} needs an SQL expression")
            if default is None:
                continue
            sql = _sql_literal(str(default))
        parts.append(f"'{PREFIX}{name}', {sql}")
    return f"array_to_json(ARRAY[{', '.join(parts)}]::text[] || {further})"
