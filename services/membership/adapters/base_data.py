"""PostgreSQL side of base and contact data: the history of each field group and its current version."""
from __future__ import annotations

from datetime import datetime

import asyncpg
import orjson

from shared.db import Connection


async def versions(conn: Connection, person_id: str) -> dict[str, tuple[str, datetime]]:
    """(source, source time) of every field group the person ever had, removed ones included."""
    rows = await conn.fetch("SELECT field_group, source, source_time FROM field_versions WHERE person_id = $1",
                            person_id)
    return {r["field_group"]: (r["source"], r["source_time"]) for r in rows}


async def record(conn: Connection, person_id: str, group: str, value, source: str,
                 source_time: datetime) -> None:
    """End the current value of the group and store the new one (`value` None: removed)."""
    await conn.execute("UPDATE base_data SET ended_at = now() WHERE person_id = $1 AND field_group = $2"
                       " AND ended_at IS NULL", person_id, group)
    if value is not None:
        await conn.execute(
            "INSERT INTO base_data (person_id, field_group, value, source, source_time)"
            " VALUES ($1, $2, $3, $4, $5)", person_id, group, orjson.dumps(value).decode(), source, source_time)
    await conn.execute(
        "INSERT INTO field_versions (person_id, field_group, source, source_time) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (person_id, field_group) DO UPDATE SET source = excluded.source,"
        " source_time = excluded.source_time", person_id, group, source, source_time)


async def current(conn: Connection, person_id: str) -> dict[str, object]:
    rows = await conn.fetch("SELECT field_group, value FROM base_data WHERE person_id = $1 AND ended_at IS NULL",
                            person_id)
    return {r["field_group"]: orjson.loads(r["value"]) for r in rows}


async def history(conn: Connection, person_id: str, group: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT value, source, source_time, ended_at FROM base_data"
                            " WHERE person_id = $1 AND field_group = $2 ORDER BY id", person_id, group)
