"""Read side of the bonus schema: statements, lineage and month-to-date totals."""
from __future__ import annotations

from datetime import date

import asyncpg

from shared.db import Connection


async def statement(conn: Connection, household: str, month: date) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM statements WHERE household_id = $1 AND month = $2", household, month)


async def accrual(conn: Connection, household: str, month: date) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM accruals WHERE household_id = $1 AND month = $2", household, month)


async def lineage(conn: Connection, household: str, month: date) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM purchases WHERE household_id = $1 AND month = $2 "
                            "ORDER BY purchased_at, receipt_id", household, month)


async def month_status(conn: Connection, month: date) -> str | None:
    return await conn.fetchval("SELECT status FROM months WHERE month = $1", month)


async def adjustments(conn: Connection, household: str, month: date) -> list[asyncpg.Record]:
    """Purchases and returns booked to the month after it began closing, and the close that paid each."""
    return await conn.fetch("SELECT * FROM adjustments WHERE household_id = $1 AND month = $2 ORDER BY receipt_id",
                            household, month)


async def adjustment_payouts_of(conn: Connection, household: str, month: date) -> list[asyncpg.Record]:
    """What the adjustments of this month paid (negative: took back), by the close that paid them."""
    return await conn.fetch("SELECT * FROM adjustment_payouts WHERE household_id = $1 AND month = $2"
                            " ORDER BY paid_in_month", household, month)


async def adjustment_payouts_in(conn: Connection, household: str, month: date) -> list[asyncpg.Record]:
    """Adjustments of earlier months that this month's close paid."""
    return await conn.fetch("SELECT * FROM adjustment_payouts WHERE household_id = $1 AND paid_in_month = $2"
                            " AND month <> $2 ORDER BY month", household, month)
