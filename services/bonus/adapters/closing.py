"""PostgreSQL side of the month close: request it, resume it, pay adjustments, finish the month.

The households are priced chunk by chunk in key order (close_pricing.py), each chunk's statements and
events in one transaction, so a crash between chunks loses nothing and pays nothing twice: the next run
resumes after the last statement written.
"""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

import asyncpg

from services.bonus.adapters.close_pricing import Chunk
from services.bonus.adapters.close_publishing import LAST_STATEMENT, PAYOUTS_PUBLISHED
from shared.db import Connection, one_row

_LAST_STATEMENT = LAST_STATEMENT.format(schema="")


async def request_close(conn: Connection, month: date) -> str:
    """Mark the month closing; waits for bookings in flight (they share-lock the month row)."""
    await conn.execute("INSERT INTO months (month) VALUES ($1) ON CONFLICT DO NOTHING", month)
    status = await conn.fetchval("SELECT status FROM months WHERE month = $1 FOR UPDATE", month)
    if status == "open":
        await conn.execute("UPDATE months SET status = 'closing', closing_at = now() WHERE month = $1", month)
        return "closing"
    return status


async def months_closing(pool: asyncpg.Pool) -> list[date]:
    return [r["month"] for r in await pool.fetch("SELECT month FROM months WHERE status = 'closing' ORDER BY month")]


async def last_closed_household(conn: Connection, month: date) -> str:
    """Where a close resumes: chunks commit in key order, so every household up to this one is done."""
    return await conn.fetchval("SELECT coalesce(max(household_id), '') FROM statements WHERE month = $1", month)


async def payouts_behind(conn: Connection, month: date, chunks: list[Chunk]) -> tuple[int, int]:
    """Of `chunks` (in key order): how many lead with every payout published, and how many households
    the rest hold, whose payouts are not."""
    row = await one_row(conn, """
        SELECT count(*) FILTER (WHERE k.upper <= m.payouts_published_through) AS published,
               coalesce(sum(k.households) FILTER (WHERE k.upper > m.payouts_published_through), 0) AS behind
        FROM months m, unnest($2::text[], $3::int[]) AS k(upper, households)
        WHERE m.month = $1""", month, [c.upper for c in chunks], [c.households for c in chunks])
    return row["published"], row["behind"]


async def try_lock_close(conn: Connection, month: date) -> bool:
    """One closer per month at a time, whichever service instance runs it (session advisory lock)."""
    return await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", f"close:{month}")


async def unlock_close(conn: Connection, month: date) -> None:
    await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", f"close:{month}")


async def claim_adjustments(conn: Connection, month: date, limit: int) -> list[asyncpg.Record]:
    """Unpaid adjustments of earlier months (or of this month, booked while it was closing)."""
    return await conn.fetch("""
        UPDATE adjustments SET paid_in_month = $1
        WHERE receipt_id IN (SELECT receipt_id FROM adjustments
                             WHERE paid_in_month IS NULL AND month <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING *""", month, limit)


async def recorded_rates(conn: Connection, keys: list[tuple[str, date]]) -> dict[tuple[str, date], int]:
    rows = await conn.fetch(
        "SELECT s.household_id, s.month, s.rate_bp FROM statements s"
        " JOIN unnest($1::text[], $2::date[]) AS k(household_id, month) USING (household_id, month)",
        [k[0] for k in keys], [k[1] for k in keys])
    return {(r["household_id"], r["month"]): r["rate_bp"] for r in rows}


class AdjustmentPayout(NamedTuple):
    """What a close pays a household for the late purchases of an earlier month, at that month's rate."""

    household_id: str
    paid_in_month: date  # the month whose close pays it
    month: date  # the month the purchases belong to
    rate_bp: int
    bonus_cents: int
    fuel_bonus_cents: int
    payment_method_benefit_cents: int


async def write_adjustment_payouts(conn: Connection, rows: list[AdjustmentPayout]) -> None:
    await conn.executemany(
        "INSERT INTO adjustment_payouts (household_id, paid_in_month, month, rate_bp, bonus_cents,"
        " fuel_bonus_cents, payment_method_benefit_cents) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT (household_id, paid_in_month, month) DO UPDATE SET"
        " bonus_cents = adjustment_payouts.bonus_cents + excluded.bonus_cents,"
        " fuel_bonus_cents = adjustment_payouts.fuel_bonus_cents + excluded.fuel_bonus_cents,"
        " payment_method_benefit_cents = adjustment_payouts.payment_method_benefit_cents"
        " + excluded.payment_method_benefit_cents", rows)


async def finish(conn: Connection, month: date) -> asyncpg.Record | None:
    """Mark the month closed when nothing is left to claim; return its totals, or None if not done."""
    left = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM accruals WHERE month = $1 AND household_id >"
        "  (SELECT coalesce(max(household_id), '') FROM statements WHERE month = $1))"
        " OR EXISTS (SELECT 1 FROM adjustments WHERE paid_in_month IS NULL AND month <= $1)", month)
    if left:
        return None
    updated = await conn.execute(
        "UPDATE months SET status = 'closed', closed_at = now() WHERE month = $1 AND status = 'closing'", month)
    if updated.endswith(" 0"):
        return None
    return await month_totals(conn, month)


async def announce(conn: Connection, month: date) -> asyncpg.Record | None:
    """Mark a closed month announced once every payout and statement is published (after the close, none
    is written any more); return its totals, or None if it is not closed, not all published, or announced
    before."""
    updated = await conn.execute(
        "UPDATE months m SET announced_at = now() WHERE month = $1 AND status = 'closed' AND announced_at IS NULL"
        f" AND payouts_published_through = {_LAST_STATEMENT}"
        f" AND statements_published_through = {_LAST_STATEMENT}", month)
    return None if updated.endswith(" 0") else await month_totals(conn, month)


async def month_totals(conn: Connection, month: date) -> asyncpg.Record:
    """Households closed, payouts (the close's and the adjustments paid with it) and cents paid."""
    return await one_row(conn, """
        WITH s AS (SELECT count(*) AS households, coalesce(sum(payouts), 0) AS payouts,
                          coalesce(sum(bonus_cents + fuel_bonus_cents + payment_method_benefit_cents), 0) AS paid
                   FROM statements WHERE month = $1),
             a AS (SELECT count(*) FILTER (WHERE bonus_cents + fuel_bonus_cents + payment_method_benefit_cents <> 0)
                          AS payouts,
                          coalesce(sum(bonus_cents + fuel_bonus_cents + payment_method_benefit_cents), 0) AS paid
                   FROM adjustment_payouts WHERE paid_in_month = $1)
        SELECT s.households, s.payouts + a.payouts AS payouts, s.paid + a.paid AS paid_cents FROM s, a""", month)


async def month_status(conn: Connection, month: date) -> str | None:
    """'open', 'closing' or 'closed'; None for a month nothing was booked to nor closed."""
    return await conn.fetchval("SELECT status FROM months WHERE month = $1", month)


async def payouts_published(conn: Connection, month: date) -> bool:
    """Whether the month is closed with every payout published (handed to S-Bank)."""
    return bool(await conn.fetchval(PAYOUTS_PUBLISHED.format(schema=""), month))
