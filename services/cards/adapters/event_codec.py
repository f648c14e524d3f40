"""Card events to and from JSON rows: the domain's dataclasses stay free of persistence concerns."""
from __future__ import annotations

import dataclasses
import typing
from datetime import datetime
from enum import Enum

import orjson

from services.cards.domain import card_events as model

KINDS = {cls.__name__: cls for cls in typing.get_args(model.CardEvent)}


def encode(event) -> tuple[str, datetime, str]:
    data = {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    return type(event).__name__, event.at, orjson.dumps(data).decode()


def _value(kind: type, raw):
    if raw is None:
        return None
    if kind is datetime:
        return datetime.fromisoformat(raw)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(raw)
    return raw


def _plain(hint):
    """`X | None` → X."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    return args[0] if args else hint


def decode(kind: str, data: str):
    cls = KINDS[kind]
    hints = typing.get_type_hints(cls, vars(model))
    raw = orjson.loads(data)
    return cls(**{name: _value(_plain(hints[name]), raw[name]) for name in raw})
