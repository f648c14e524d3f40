"""The customers' activity other services reported (`activity_elsewhere`, migration 011)."""
from __future__ import annotations

from datetime import datetime

from shared.db import Connection


async def note(conn: Connection, person_id: str, service: str, at: datetime) -> bool:
    """Keep the later of the time known and `at`; False when the person is unknown here or erased (nothing is
    kept of them)."""
    status = await conn.execute("""
        INSERT INTO activity_elsewhere (person_id, service, last_active_at)
        SELECT person_id, $2, $3 FROM persons WHERE person_id = $1 AND erased_at IS NULL
        ON CONFLICT (person_id, service) DO UPDATE
            SET last_active_at = greatest(activity_elsewhere.last_active_at, excluded.last_active_at)""",
                                person_id, service, at)
    return status.endswith(" 1")
