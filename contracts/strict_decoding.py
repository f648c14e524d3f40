"""Fast acceptance of a high-volume contract: POS receipts, millions a day.

pydantic validated a receipt in 27-45 µs on the 2-core machine, a quarter of the purchases service's
CPU; msgspec decodes the same bytes into slotted structs in about 8. `strict_decoder(model)` derives a
msgspec decoder from the contract's pydantic model, which stays the one definition (documentation,
JSON Schema, producers), and the decoder is *stricter* than the model: no coercion (no number in a
string, no float for an int, no 1 for true), a pattern's `$` only at the very end. So what it accepts,
the model accepts with the same values (tests hold the two together), and what it refuses is handed to
the model, which decides: the lax inputs it accepts and the reasons in dead letters stay the model's.

A model feature the decoder cannot mirror exactly (a field validator, an alias, another constraint)
makes `strict_decoder` refuse the model (`Unmirrored`) instead of deciding differently.
"""
from __future__ import annotations

import re
import types
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
import msgspec
from pydantic import AwareDatetime, BaseModel

_LENGTHS_AND_BOUNDS = {annotated_types.MinLen: "min_length", annotated_types.MaxLen: "max_length",
                       annotated_types.Ge: "ge", annotated_types.Gt: "gt", annotated_types.Le: "le",
                       annotated_types.Lt: "lt"}
_PLAIN = (str, int, bool)
# RFC 3339 as POS systems write it; datetime.fromisoformat then reads it as pydantic does (a fraction
# finer than microseconds truncated: msgspec's own datetimes round it, a microsecond apart).
# Hours, minutes and seconds in range here (fromisoformat would take an offset of +03:60), the date by
# fromisoformat.
_RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?"
                      r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])")


class _AwareTime(datetime):
    """msgspec's stand-in for `AwareDatetime`, read from the JSON string by `_read_time`: a datetime."""

    __slots__ = ()


def _read_time(kind: type, value: object) -> datetime:
    if kind is _AwareTime and isinstance(value, str) and _RFC3339.fullmatch(value):
        return _AwareTime.fromisoformat(value)  # raises ValueError for a date or time out of range
    raise ValueError("not an RFC 3339 time with its UTC offset")


class Unmirrored(TypeError):
    """The model has a feature the strict decoder cannot mirror exactly."""


def strict_decoder(model: type[BaseModel]) -> Callable[[bytes], object | None]:
    """A function from a message's bytes to the struct of `model`'s fields, or None where the model has
    to decide (anything the strict reading refuses, including a failed model validator)."""
    decoder = msgspec.json.Decoder(_struct(model), dec_hook=_read_time)
    checks = [d.func for d in model.__pydantic_decorators__.model_validators.values()]  # mode "after" only

    def decode(value: bytes) -> object | None:
        try:
            data = decoder.decode(value)
        except (msgspec.DecodeError, UnicodeDecodeError):  # a ValidationError is a DecodeError
            return None
        try:
            for check in checks:
                check(data)  # a model's "after" validator reads attributes, which the struct has
        except Exception:  # noqa: BLE001 - whatever it raised, the model decides and gives its reason
            return None
        return data

    return decode


def _struct(model: type[BaseModel], nested: bool = False) -> type[msgspec.Struct]:
    """The struct of a model with extra='forbid' and no other configuration, whose only validators are
    the outermost model's "after" ones (`strict_decoder` runs them)."""
    decorators = model.__pydantic_decorators__
    validators = decorators.model_validators
    if model.model_config.get("extra") != "forbid" or set(model.model_config) - {"extra", "frozen", "title"} \
            or decorators.validators or decorators.field_validators or decorators.root_validators \
            or (nested and validators) or any(d.info.mode != "after" for d in validators.values()):
        raise Unmirrored(f"{model.__name__}: a configuration or validator that is not mirrored")
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for name, info in model.model_fields.items():
        if info.alias not in (None, name):
            raise Unmirrored(f"{model.__name__}.{name}: an alias")
        kind = _strict(info.annotation, info.metadata, f"{model.__name__}.{name}")
        if info.is_required():
            fields.append((name, kind))
        elif isinstance(info.default, (*_PLAIN, type(None))) or info.default == []:  # msgspec copies []
            fields.append((name, kind, info.default))
        else:
            raise Unmirrored(f"{model.__name__}.{name}: a default that is not a plain value or []")
    return msgspec.defstruct(model.__name__, fields, kw_only=True, forbid_unknown_fields=True, frozen=True)


def _strict(annotation: Any, metadata: list[Any], where: str) -> Any:
    """The msgspec type of a field: its type, with the field's constraints where pydantic applies them."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType) and len(args) == 2 and type(None) in args:
        inner = next(arg for arg in args if arg is not type(None))
        return _strict(inner, metadata, where) | None
    return _constrained(_bare(annotation, where), metadata, where)


def _bare(annotation: Any, where: str) -> Any:
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation in _PLAIN:
        return annotation
    if annotation is AwareDatetime:
        return _AwareTime
    if origin is Literal and all(isinstance(arg, str) for arg in args):
        return annotation
    if origin is list and len(args) == 1:
        return types.GenericAlias(list, (_strict(args[0], [], where),))  # list[...] of a type built here
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _struct(annotation, nested=True)
    raise Unmirrored(f"{where}: the type {annotation!r}")


def _constrained(kind: Any, metadata: list[Any], where: str) -> Any:
    constraints: dict[str, Any] = {}
    for item in metadata:
        pattern = getattr(item, "pattern", None)
        if type(item) in _LENGTHS_AND_BOUNDS:
            name = _LENGTHS_AND_BOUNDS[type(item)]
            constraints[name] = getattr(item, name)
        elif pattern is not None and set(vars(item)) <= {"pattern"}:
            constraints["pattern"] = _at_the_very_end(pattern)
        else:
            raise Unmirrored(f"{where}: the constraint {item!r}")
    return Annotated[kind, msgspec.Meta(**constraints)] if constraints else kind


def _at_the_very_end(pattern: str) -> str:
    """pydantic's patterns are Rust regexes, where `$` is the end of the text; in Python's `re`, which
    msgspec uses, `$` also matches before a final newline, so it becomes `\\Z`."""
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        return pattern[:-1] + "\\Z"
    return pattern
