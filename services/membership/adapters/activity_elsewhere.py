"""The customers' activity other services reported (`activity_elsewhere`, migration 011), and the reports that
wait for their person's registration (`activity_waiting`, migration 012)."""
from __future__ import annotations

from datetime import datetime
from enum import Enum

from shared.db import Connection, changed


class Noted(Enum):
    KEPT = "kept"
    WAITING = "waiting"  # the person is not registered here (yet)
    ERASED = "erased"  # kept for the member register only, or gone with an erasure mark (`erased_persons`)


async def note(conn: Connection, person_id: str, service: str, at: datetime) -> Noted:
    """Keep the later of the time known and `at`; a report about a person not registered here waits for them."""
    if await changed(conn, """
        INSERT INTO activity_elsewhere (person_id, service, last_active_at)
        SELECT person_id, $2, $3 FROM persons WHERE person_id = $1 AND erased_at IS NULL
        ON CONFLICT (person_id, service) DO UPDATE
            SET last_active_at = greatest(activity_elsewhere.last_active_at, excluded.last_active_at)""",
                     person_id, service, at):
        return Noted.KEPT
    if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM persons WHERE person_id = $1)"
                           " OR EXISTS (SELECT 1 FROM erased_persons WHERE person_id = $1)", person_id):
        return Noted.ERASED
    await conn.execute("""
        INSERT INTO activity_waiting (person_id, service, last_active_at) VALUES ($1, $2, $3)
        ON CONFLICT (person_id, service) DO UPDATE
            SET last_active_at = greatest(activity_waiting.last_active_at, excluded.last_active_at)""",
                       person_id, service, at)
    return Noted.WAITING


async def waiting_registered(conn: Connection, limit: int) -> list[str]:
    """Persons with a report waiting who are registered now (committed), in id order."""
    return [r["person_id"] for r in await conn.fetch(
        "SELECT DISTINCT w.person_id FROM activity_waiting w JOIN persons p USING (person_id)"
        " ORDER BY w.person_id LIMIT $1", limit)]


async def keep_waiting(conn: Connection, person_id: str) -> int:
    """Move the person's waiting reports to `activity_elsewhere` (they are registered and not erased; the
    caller holds their row); how many."""
    return await changed(conn, """
        WITH moved AS (DELETE FROM activity_waiting WHERE person_id = $1 RETURNING service, last_active_at)
        INSERT INTO activity_elsewhere (person_id, service, last_active_at)
        SELECT $1, service, last_active_at FROM moved ORDER BY service
        ON CONFLICT (person_id, service) DO UPDATE
            SET last_active_at = greatest(activity_elsewhere.last_active_at, excluded.last_active_at)""",
                         person_id)


async def forget_waiting(conn: Connection, person_id: str) -> int:
    return await changed(conn, "DELETE FROM activity_waiting WHERE person_id = $1", person_id)


async def forget_waiting_since(conn: Connection, before: datetime) -> int:
    """Reports that waited since before `before` for a person who never came (or was erased meanwhile)."""
    return await changed(conn, "DELETE FROM activity_waiting WHERE waiting_since < $1", before)
