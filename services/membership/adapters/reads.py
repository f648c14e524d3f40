"""Named reads of the membership schema for the operator's tools (the erasure proof): they see the service's
data through these, never its tables. Qualified by the schema, so that they run on the operator's connection,
which looks across schemas, as well as on the service's own."""
from __future__ import annotations

import asyncpg


async def persons_registered(conn: asyncpg.Connection, person_ids: list[str]) -> int:
    return await conn.fetchval("SELECT count(*) FROM membership.persons WHERE person_id = ANY($1)", person_ids)


async def current_household_members(conn: asyncpg.Connection, household_id: str) -> int:
    return await conn.fetchval("SELECT count(*) FROM membership.household_members WHERE household_id = $1"
                               " AND valid_to IS NULL", household_id)


async def household_dissolved(conn: asyncpg.Connection, household_id: str) -> bool | None:
    """None for a household the service does not know."""
    return await conn.fetchval("SELECT status = 'dissolved' FROM membership.households WHERE household_id = $1",
                               household_id)


async def updates_ignored_as_erased(conn: asyncpg.Connection, sources: list[str]) -> int:
    """Population and S-Bank updates about an erased person, counted and ignored, from these sources."""
    return await conn.fetchval("SELECT coalesce(sum(count), 0) FROM membership.ignored_updates"
                               " WHERE reason = 'erased_subject' AND source = ANY($1::text[])", sources)


async def persons_known(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM membership.persons")


async def households_known(conn: asyncpg.Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM membership.households")


async def members_in_households(conn: asyncpg.Connection) -> int:
    """Persons in a household now, main members included."""
    return await conn.fetchval("SELECT count(*) FROM membership.household_members WHERE valid_to IS NULL")
