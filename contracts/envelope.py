"""The one envelope every event travels in: CloudEvents attributes in Kafka headers, JSON data in the value.

Headers follow the CloudEvents Kafka binding (binary mode): ``ce_id``, ``ce_source``, ``ce_type``,
``ce_time``, ``ce_subject``, ``ce_specversion``, plus the extensions ``ce_cooperative`` and
``ce_correlationid``. External producers that cannot set headers may leave them out: the envelope is then
derived from the topic and a hash of the value, so a re-sent identical message keeps its id.

The envelope is a plain dataclass, not a pydantic model: one is made for every event published, and a
month close publishes millions.
"""
from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

PREFIX = "ce_"
NAMESPACE = uuid.UUID("6f1c3c1e-2a55-4b5e-9a7d-1f9b3f0c4e21")
ATTRIBUTES = ("id", "source", "type", "time", "subject", "specversion", "cooperative", "correlationid")
HEADERS = tuple(PREFIX + name for name in ATTRIBUTES)
_ATTRIBUTE_OF_HEADER = dict(zip(HEADERS, ATTRIBUTES, strict=True))


class InvalidEnvelope(ValueError):
    """The headers do not make a CloudEvents envelope."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class Envelope:
    source: str
    type: str
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=_now)
    subject: str | None = None
    specversion: str = "1.0"
    cooperative: str | None = None
    correlationid: str | None = None

    def __post_init__(self) -> None:
        if not (self.id and self.source and self.type):
            raise InvalidEnvelope("id, source and type must not be empty")
        if self.time.tzinfo is None:
            raise InvalidEnvelope("time must carry its UTC offset")

    def headers(self) -> list[tuple[str, bytes]]:
        values = (self.id, self.source, self.type, self.time.isoformat(), self.subject, self.specversion,
                  self.cooperative, self.correlationid)  # in the order of ATTRIBUTES
        return [(name, value.encode()) for name, value in zip(HEADERS, values, strict=True) if value is not None]

    @classmethod
    def from_headers(cls, headers: Iterable[tuple[str, bytes | None]] | None, topic: str, value: bytes) -> "Envelope":
        """Read the envelope from Kafka headers, deriving what an external producer left out."""
        found: dict[str, Any] = {}  # the constructor's keyword arguments
        for key, raw in headers or ():
            attribute = _ATTRIBUTE_OF_HEADER.get(key)  # other headers (trace context, ...) are not ours
            if attribute is not None and raw is not None:
                found[attribute] = raw.decode("utf-8", "replace")
        if "id" not in found:
            found["id"] = str(uuid.uuid5(NAMESPACE, topic + hashlib.sha256(value).hexdigest()))
        found.setdefault("source", f"kafka:{topic}")
        found.setdefault("type", topic)
        try:
            if "time" in found:
                found["time"] = datetime.fromisoformat(found["time"])  # "Z" included
            return cls(**found)
        except (TypeError, ValueError) as error:
            raise InvalidEnvelope(str(error)) from None

    @property
    def correlation(self) -> str:
        """The correlation id an event caused by this one keeps: this one's, or its id when it has none."""
        return self.correlationid or self.id

    def follow(self, *, source: str, type: str, subject: str | None = None, cooperative: str | None = None,
               id: str | None = None, time: datetime | None = None) -> "Envelope":
        """An envelope for an event caused by this one: it keeps the correlation id."""
        return Envelope(source=source, type=type, id=id or str(uuid.uuid4()), time=time or _now(),
                        subject=subject, cooperative=cooperative or self.cooperative,
                        correlationid=self.correlation)


class EnvelopeTemplate:
    """The headers of many events that share their source, type and time, such as a month close's
    statements: exactly what `Envelope(...).headers()` gives (tests hold the two together), with the
    shared part encoded once instead of an envelope made and checked for each of millions of events."""

    __slots__ = ("_shared",)
    _SPECVERSION = (HEADERS[5], b"1.0")

    def __init__(self, source: str, type: str, time: datetime) -> None:
        Envelope(source=source, type=type, id="-", time=time)  # the same checks as each envelope's
        self._shared = [(HEADERS[1], source.encode()), (HEADERS[2], type.encode()),
                        (HEADERS[3], time.isoformat().encode())]

    def headers(self, id: str, subject: str | None = None, cooperative: str | None = None) -> list[tuple[str, bytes]]:
        if not id:
            raise InvalidEnvelope("id, source and type must not be empty")
        headers = [(HEADERS[0], id.encode()), *self._shared]
        if subject is not None:
            headers.append((HEADERS[4], subject.encode()))
        headers.append(self._SPECVERSION)
        if cooperative is not None:
            headers.append((HEADERS[6], cooperative.encode()))
        return headers
