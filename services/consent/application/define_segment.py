"""Use cases: define (or change) and retire a segment. The definition is stored as data; the members are
computed by the segment maintenance (`maintenance`), which first makes sure the compacted topic exists,
then evaluates everyone, and for a retired segment sends every member a tombstone."""
from __future__ import annotations

import orjson

from contracts.envelope import Envelope
from contracts.events.consent import DefineSegment, RetireSegment
from services.consent.adapters import segments
from services.consent.application.config import ConsentConfig
from services.consent.application.definitions import stored
from services.consent.domain.errors import UnknownSegment
from shared.db import Connection

UNCOMPARED = ("defined_at",)


def _same(old: dict, new: dict) -> bool:
    return {k: v for k, v in old.items() if k not in UNCOMPARED} == {
        k: v for k, v in new.items() if k not in UNCOMPARED}


async def define_segment(conn: Connection, command: DefineSegment, cause: Envelope, config: ConsentConfig) -> None:
    current = await segments.definition(conn, command.name)
    definition = stored(command)
    if current is not None and current["retired_at"] is None and _same(orjson.loads(current["definition"]),
                                                                       definition):
        return
    await segments.define(conn, command.name, definition, command.defined_at)


async def retire_segment(conn: Connection, command: RetireSegment, cause: Envelope, config: ConsentConfig) -> None:
    current = await segments.definition(conn, command.name)
    if current is None:
        raise UnknownSegment(f"no segment {command.name!r} was defined")
    if current["retired_at"] is None:
        await segments.retire(conn, command.name, command.retired_at)
