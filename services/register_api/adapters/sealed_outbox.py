"""Commands the register API publishes, staged in its outbox sealed under the person's key.

The value is the command's JSON encrypted under the key of the person it is about (`shared.subject_keys`),
with the header that names them; the consuming service's delivery pipeline opens it. Erasing the person
destroys the key and with it every such message still in Kafka."""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from contracts.envelope import Envelope
from shared import outbox
from shared.db import Connection
from shared.subject_keys import HEADER, SubjectKeys


@dataclass(frozen=True)
class SealedRow:
    """An outbox row (`shared.outbox.add` takes anything with `row()`)."""

    topic: str
    key: str
    value: bytes
    headers: list[tuple[str, bytes]]

    def row(self) -> tuple:
        return (self.topic, self.key.encode(), self.value, outbox.stored_headers(self.headers))


async def stage(conn: Connection, keys: SubjectKeys, topic: str, key: str, subject: str, data: BaseModel,
                envelope: Envelope) -> None:
    """Stage `data` on `topic` under the Kafka `key`, sealed for the person `subject` it is about."""
    sealed = await keys.seal_for(conn, subject, data.model_dump_json().encode())
    await outbox.add(conn, [SealedRow(topic, key, sealed, [*envelope.headers(), (HEADER, subject.encode())])])
