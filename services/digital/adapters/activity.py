"""The customer's latest activity in the digital schema, and what of it is due to be reported."""
from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from shared.db import Connection


async def note(conn: Connection, person_id: str, at: datetime) -> None:
    # least(.., now()): a source whose clock runs ahead must not keep a customer active into the future
    await conn.execute("""
        INSERT INTO customer_activity (person_id, last_active_at) VALUES ($1, least($2, now()))
        ON CONFLICT (person_id) DO UPDATE
            SET last_active_at = greatest(customer_activity.last_active_at, excluded.last_active_at)""",
                       person_id, at)


async def take_due(conn: Connection, person_ids: list[str], every: timedelta) -> list[asyncpg.Record]:
    """The activity of these persons not reported yet, or `every` or more later than the one reported, marked
    reported in this transaction (with the outbox row that reports it)."""
    return await conn.fetch("""
        UPDATE customer_activity SET reported_active_at = last_active_at
        WHERE person_id = ANY($1::text[])
          AND (reported_active_at IS NULL OR last_active_at >= reported_active_at + $2)
        RETURNING person_id, last_active_at""", person_ids, every)
