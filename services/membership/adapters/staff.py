"""PostgreSQL repository of staff data (employments and the staff-discount right from Hertta, or corrected by
the register keeper's staff)."""
from __future__ import annotations

from datetime import date, datetime

import asyncpg

from shared.db import Connection


async def employment(conn: Connection, person_id: str, employer: str, start: date) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT employment_end, staff_discount, source, source_time FROM staff_employments"
                               " WHERE person_id = $1 AND employer = $2 AND employment_start = $3",
                               person_id, employer, start)


async def save_employment(conn: Connection, person_id: str, employer: str, start: date, end: date | None,
                          staff_discount: bool, source_time: datetime, source: str = "hr") -> bool:
    """Store the employment's state unless a later one is stored already; True when stored."""
    row = await conn.fetchrow("""
        INSERT INTO staff_employments AS s (person_id, employer, employment_start, employment_end,
                                            staff_discount, source_time, source)
        VALUES ($1, $2, $3, $4, $5, $6, $7)
        ON CONFLICT (person_id, employer, employment_start) DO UPDATE SET
            employment_end = excluded.employment_end, staff_discount = excluded.staff_discount,
            source_time = excluded.source_time, source = excluded.source
        WHERE s.source_time < excluded.source_time
        RETURNING person_id""", person_id, employer, start, end, staff_discount, source_time, source)
    return row is not None
