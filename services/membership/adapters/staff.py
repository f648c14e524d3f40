"""PostgreSQL repository of staff data (employments and the staff-discount right from Hertta)."""
from __future__ import annotations

from datetime import date, datetime

import asyncpg


async def save_employment(conn: asyncpg.Connection, person_id: str, employer: str, start: date, end: date | None,
                          staff_discount: bool, source_time: datetime) -> bool:
    """Store the employment's state unless a later one is stored already; True when stored."""
    row = await conn.fetchrow("""
        INSERT INTO staff_employments AS s (person_id, employer, employment_start, employment_end,
                                            staff_discount, source_time)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (person_id, employer, employment_start) DO UPDATE SET
            employment_end = excluded.employment_end, staff_discount = excluded.staff_discount,
            source_time = excluded.source_time
        WHERE s.source_time < excluded.source_time
        RETURNING person_id""", person_id, employer, start, end, staff_discount, source_time)
    return row is not None
