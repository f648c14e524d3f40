"""Named reads of the digital schema for the operator's tools (the erasure proof): they see the service's data
through these, never its tables. Qualified by the schema, so that they run on the operator's connection, which
looks across schemas, as well as on the service's own."""
from __future__ import annotations

import asyncpg


async def messages_dropped_as_erased(conn: asyncpg.Connection, sources: list[str]) -> int:
    """Messages about a person erased here, from these sources, dropped and counted."""
    return await conn.fetchval("SELECT coalesce(sum(count), 0) FROM digital.ignored_updates"
                               " WHERE reason = 'person_erased' AND source = ANY($1::text[])", sources)
