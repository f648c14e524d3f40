"""PostgreSQL side of the history of a record's corrected field (a membership's joining outlet, an
employment): each change with the value it replaced, its source and time (migration 008)."""
from __future__ import annotations

from datetime import datetime

import orjson

from shared.db import Connection


async def record(conn: Connection, person_id: str, field: str, target: str, previous, value, source: str,
                 source_time: datetime) -> None:
    await conn.execute(
        "INSERT INTO corrections (person_id, field, target, previous, value, source, source_time)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)", person_id, field, target, orjson.dumps(previous).decode(),
        orjson.dumps(value).decode(), source, source_time)


async def of_person(conn: Connection, person_id: str) -> list[dict]:
    rows = await conn.fetch("SELECT field, target, previous, value, source, source_time, recorded_at"
                            " FROM corrections WHERE person_id = $1 ORDER BY id", person_id)
    return [{**dict(r), "previous": orjson.loads(r["previous"]), "value": orjson.loads(r["value"])} for r in rows]
