"""The one envelope every event travels in: CloudEvents attributes in Kafka headers, JSON data in the value.

Headers follow the CloudEvents Kafka binding (binary mode): ``ce_id``, ``ce_source``, ``ce_type``,
``ce_time``, ``ce_subject``, ``ce_specversion``, plus the extensions ``ce_cooperative`` and
``ce_correlationid``. External producers that cannot set headers may leave them out: the envelope is then
derived from the topic and a hash of the value, so a re-sent identical message keeps its id.
"""
from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timezone

from pydantic import AwareDatetime, BaseModel, Field

PREFIX = "ce_"
NAMESPACE = uuid.UUID("6f1c3c1e-2a55-4b5e-9a7d-1f9b3f0c4e21")


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Envelope(BaseModel):
    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    source: str
    type: str
    time: AwareDatetime = Field(default_factory=_now)
    subject: str | None = None
    specversion: str = "1.0"
    cooperative: str | None = None
    correlationid: str | None = None

    def headers(self) -> list[tuple[str, bytes]]:
        values = self.model_dump(mode="json", exclude_none=True)
        return [(PREFIX + name, str(value).encode()) for name, value in values.items()]

    @classmethod
    def from_headers(cls, headers, topic: str, value: bytes) -> "Envelope":
        """Read the envelope from Kafka headers, deriving what an external producer left out."""
        found = {k[len(PREFIX):]: v.decode("utf-8", "replace")
                 for k, v in (headers or ()) if k.startswith(PREFIX) and v is not None}
        found.setdefault("id", str(uuid.uuid5(NAMESPACE, topic + hashlib.sha256(value).hexdigest())))
        found.setdefault("source", f"kafka:{topic}")
        found.setdefault("type", topic)
        return cls.model_validate(found)

    def follow(self, *, source: str, type: str, subject: str | None = None,
               cooperative: str | None = None, id: str | None = None) -> "Envelope":
        """An envelope for an event caused by this one: it keeps the correlation id."""
        return Envelope(
            id=id or str(uuid.uuid4()), source=source, type=type, subject=subject,
            cooperative=cooperative or self.cooperative, correlationid=self.correlationid or self.id,
        )
