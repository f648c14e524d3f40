"""Named reads of the bonus schema for the operator's tools (the chaos run, the demo, the benchmarks, the
erasure proof): they see the service's data through these, never its tables. Qualified by the schema, so
that they run on the operator's connection, which looks across schemas, as well as on the service's own."""
from __future__ import annotations

from datetime import date
from typing import NamedTuple

from services.bonus.adapters.close_publishing import MONTH_ANNOUNCED, PAYOUTS_PUBLISHED
from services.bonus.domain import MonthTotals
from shared.db import Connection, one_row


class BookingProgress(NamedTuple):
    booked: int  # purchases in the ledger
    outbox: int  # events staged, not yet relayed


class Accrual(NamedTuple):
    """One household month of the ledger: its totals and how many receipts they count."""

    household_id: str
    month: date
    totals: MonthTotals
    receipts: int


class ClosedStatements(NamedTuple):
    households: int  # statements written
    payouts: int | None  # payouts they announce (None with no statement)


async def booking_progress(conn: Connection) -> BookingProgress:
    row = await one_row(conn, "SELECT (SELECT count(*) FROM bonus.purchases) AS booked,"
                              " (SELECT count(*) FROM bonus.outbox) AS outbox")
    return BookingProgress(row["booked"], row["outbox"])


async def accruals(conn: Connection) -> list[Accrual]:
    return [Accrual(r["household_id"], r["month"],
                    MonthTotals(r["bonus_cents"], r["double_cents"], r["fuel_cents"], r["fuel_millilitres"],
                                r["payment_method_cents"]), r["receipts"])
            for r in await conn.fetch("SELECT * FROM bonus.accruals")]


async def booked_households(conn: Connection) -> dict[str, str]:
    """Receipt id → the household it was booked for, in the ledger's lineage."""
    return {r["receipt_id"]: r["household_id"]
            for r in await conn.fetch("SELECT receipt_id, household_id FROM bonus.purchases")}


async def purchases_booked(conn: Connection) -> int:
    return await conn.fetchval("SELECT count(*) FROM bonus.purchases")


async def purchases_booked_for(conn: Connection, person_id: str) -> int:
    return await conn.fetchval("SELECT count(*) FROM bonus.purchases WHERE person_id = $1", person_id)


async def month_status(conn: Connection, month: date) -> str | None:
    """open, closing or closed; None for a month the service has not seen."""
    return await conn.fetchval("SELECT status FROM bonus.months WHERE month = $1", month)


async def months_not_open(conn: Connection) -> set[date]:
    return {r["month"] for r in await conn.fetch("SELECT month FROM bonus.months WHERE status <> 'open'")}


async def statements_written(conn: Connection, month: date) -> int:
    return await conn.fetchval("SELECT count(*) FROM bonus.statements WHERE month = $1", month)


async def closed_statements(conn: Connection) -> ClosedStatements:
    """Every month's statements: how many, and the payouts they announce."""
    row = await one_row(conn, "SELECT count(*) AS households, sum(payouts) AS payouts FROM bonus.statements")
    return ClosedStatements(row["households"], row["payouts"])


async def payouts_published(conn: Connection, month: date) -> bool:
    return bool(await conn.fetchval(PAYOUTS_PUBLISHED.format(schema="bonus."), month))


async def month_announced(conn: Connection, month: date) -> bool | None:
    """Every statement of the closed month published; None for a month the service has not seen."""
    return await conn.fetchval(MONTH_ANNOUNCED.format(schema="bonus."), month)


async def outbox_empty(conn: Connection) -> bool:
    return not await conn.fetchval("SELECT EXISTS (SELECT 1 FROM bonus.outbox)")


async def purchases_booked_in(conn: Connection, month: date) -> int:
    """Purchases booked into `month` (its first day)."""
    return await conn.fetchval("SELECT count(*) FROM bonus.purchases WHERE month = $1", month)
