"""PostgreSQL side of segment definitions (kept as data) and of who is published in which segment."""
from __future__ import annotations

from datetime import datetime

import asyncpg
import orjson

from shared.db import Connection, one_row


async def define(conn: Connection, name: str, definition: dict, defined_at: datetime) -> int:
    """Store a new or changed definition (a retired one comes back); return its version."""
    return await conn.fetchval("""
        INSERT INTO segment_definitions (name, version, definition, defined_at) VALUES ($1, 1, $2, $3)
        ON CONFLICT (name) DO UPDATE SET version = segment_definitions.version + 1,
            definition = excluded.definition, defined_at = excluded.defined_at, retired_at = NULL
        RETURNING version""", name, orjson.dumps(definition).decode(), defined_at)


DEFINITION = "SELECT * FROM segment_definitions WHERE name = $1"


async def definition(conn: Connection, name: str) -> asyncpg.Record | None:
    return await conn.fetchrow(DEFINITION, name)


async def defined(conn: Connection, name: str) -> asyncpg.Record:
    """The definition of a segment known to be defined: a definition is retired, never deleted."""
    return await one_row(conn, DEFINITION, name)


async def live(conn: Connection) -> list[asyncpg.Record]:
    """The segments people are placed in: their topic exists and they are not retired."""
    return await conn.fetch("SELECT * FROM segment_definitions WHERE topic_ready AND retired_at IS NULL"
                            " ORDER BY name")


async def listing(conn: Connection) -> list[asyncpg.Record]:
    return await conn.fetch("""
        SELECT d.*, (SELECT count(*) FROM segment_members m WHERE m.segment = d.name) AS members
        FROM segment_definitions d ORDER BY d.name""")


async def retire(conn: Connection, name: str, retired_at: datetime) -> None:
    await conn.execute("UPDATE segment_definitions SET retired_at = $2 WHERE name = $1", name, retired_at)


async def waiting_for_topic(conn: Connection) -> list[str]:
    rows = await conn.fetch("SELECT name FROM segment_definitions WHERE NOT topic_ready AND retired_at IS NULL"
                            " ORDER BY name")
    return [r["name"] for r in rows]


async def mark_topic_ready(conn: Connection, name: str) -> None:
    await conn.execute("UPDATE segment_definitions SET topic_ready = true WHERE name = $1", name)


async def due_for_population(conn: Connection, refresh_before: datetime) -> list[asyncpg.Record]:
    """Live segments whose definition changed since every person was evaluated, or due for a refresh."""
    return await conn.fetch("""
        SELECT name, version FROM segment_definitions WHERE topic_ready AND retired_at IS NULL
          AND (populated_version < version OR refreshed_at IS NULL OR refreshed_at < $1) ORDER BY name""",
        refresh_before)


async def mark_populated(conn: Connection, name: str, version: int, at: datetime) -> None:
    await conn.execute("UPDATE segment_definitions SET populated_version = $2, refreshed_at = $3"
                       " WHERE name = $1", name, version, at)


async def published(conn: Connection, person_id: str) -> dict[str, tuple[str, dict]]:
    """segment → (pseudonym, attributes sent) for every segment the person is published in."""
    rows = await conn.fetch("SELECT segment, pseudonym, entry FROM segment_members WHERE person_id = $1",
                            person_id)
    return {r["segment"]: (r["pseudonym"], orjson.loads(r["entry"])) for r in rows}


async def put_member(conn: Connection, segment: str, person_id: str, pseudonym: str, entry: dict) -> None:
    await conn.execute("""
        INSERT INTO segment_members (segment, person_id, pseudonym, entry) VALUES ($1, $2, $3, $4)
        ON CONFLICT (segment, person_id) DO UPDATE SET entry = excluded.entry, published_at = now()""",
        segment, person_id, pseudonym, orjson.dumps(entry).decode())


async def remove_member(conn: Connection, segment: str, person_id: str) -> None:
    await conn.execute("DELETE FROM segment_members WHERE segment = $1 AND person_id = $2", segment, person_id)


async def members(conn: Connection, segment: str, limit: int | None = None) -> list[str]:
    rows = await conn.fetch("SELECT person_id FROM segment_members WHERE segment = $1 ORDER BY person_id"
                            " LIMIT $2", segment, limit)
    return [r["person_id"] for r in rows]


async def retired_with_members(conn: Connection) -> list[str]:
    rows = await conn.fetch("SELECT name FROM segment_definitions d WHERE retired_at IS NOT NULL"
                            " AND EXISTS (SELECT 1 FROM segment_members m WHERE m.segment = d.name) ORDER BY name")
    return [r["name"] for r in rows]


async def people_after(conn: Connection, after: str, limit: int) -> list[str]:
    """The next `limit` person ids after `after`, for evaluating everyone in chunks."""
    rows = await conn.fetch("SELECT person_id FROM persons WHERE person_id > $1 ORDER BY person_id LIMIT $2",
                            after, limit)
    return [r["person_id"] for r in rows]
