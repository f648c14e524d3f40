"""Named reads of the consent schema for the operator's tools (the erasure proof): they see the service's data
through these, never its tables. Qualified by the schema, so that they run on the operator's connection, which
looks across schemas, as well as on the service's own."""
from __future__ import annotations

import asyncpg


async def segment_places_of(conn: asyncpg.Connection, segment: str, person_id: str) -> int:
    """How many places the person has in the segment (0 or 1)."""
    return await conn.fetchval("SELECT count(*) FROM consent.segment_members WHERE segment = $1"
                               " AND person_id = $2", segment, person_id)


async def segment_places(conn: asyncpg.Connection) -> int:
    """Places in every segment together."""
    return await conn.fetchval("SELECT count(*) FROM consent.segment_members")
