"""Queries: a household's month explained (statement with lineage), and its month to date.

Once a month has begun closing its totals never change: a purchase or return booked to it afterwards is an
adjustment, priced at the month's recorded rate and paid with a later close (domain/adjustments.py). The
explanation keeps them apart, so that the receipts it lists are exactly those behind the month's totals and
the adjustments show what they changed and which close paid (or will pay) it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.bonus.adapters import queries
from services.bonus.application.month_to_date import totals_of
from services.bonus.domain import (
    ClosedMonthAdjustment,
    MonthBonus,
    MonthTotals,
    TierTable,
    TierTables,
    adjustment_for_closed_month,
    compute_month,
)
from shared.db import Connection


@dataclass(frozen=True)
class RecordedRate:
    rate_bp: int


@dataclass(frozen=True)
class Adjustments:
    """The month's adjustments: the purchases and returns booked after it began closing, what the closes
    that paid them paid (`paid`, rows of adjustment_payouts), and what the next close will pay for the
    rest (`pending`, at `pending_rate_bp`)."""

    receipts: list[dict]
    paid: list[dict]
    pending: ClosedMonthAdjustment | None
    pending_rate_bp: int | None


@dataclass(frozen=True)
class Explanation:
    household_id: str
    month: date
    status: str
    cooperative_id: str | None
    tier_table: str | None
    result: MonthBonus | None
    statement: dict | None
    purchases: list[dict]  # the receipts behind the month's totals
    adjustments: Adjustments
    paid_with_this_month: list[dict]  # adjustments of earlier months this month's close paid

    @property
    def empty(self) -> bool:
        return (self.result is None and self.statement is None and not self.adjustments.receipts
                and not self.paid_with_this_month)


async def month_to_date(conn: Connection, tables: TierTables, household: str, month: date) -> MonthBonus | None:
    """Current total, current %, and euros to the next tier, as the customer apps show them."""
    row = await queries.accrual(conn, household, month)
    if row is None:
        return None
    return compute_month(tables.table_for(row["cooperative_id"], month), totals_of(row))


async def _adjustments(conn: Connection, tables: TierTables, household: str, month: date, lineage: list[dict],
                       statement) -> Adjustments:
    booked = await queries.adjustments(conn, household, month)
    paid_in = {r["receipt_id"]: r["paid_in_month"] for r in booked}
    receipts = [{**r, "paid_in_month": paid_in.get(r["receipt_id"])} for r in lineage
                if r["booked_as"] == "adjustment"]
    unpaid = [r for r in booked if r["paid_in_month"] is None]
    pending = rate = None
    if unpaid:
        delta = sum((totals_of(r) for r in unpaid), MonthTotals())
        # as the close prices them: at the recorded rate, or, for a household the close did not price, on the
        # month's table as the adjustments stand
        rate = statement["rate_bp"] if statement else tables.table_for(
            unpaid[0]["cooperative_id"], month).rate_for(max(delta.tier_total_cents, 0))
        pending = adjustment_for_closed_month(RecordedRate(rate), delta)
    return Adjustments(receipts=receipts,
                       paid=[dict(r) for r in await queries.adjustment_payouts_of(conn, household, month)],
                       pending=pending, pending_rate_bp=rate)


async def explain(conn: Connection, tables: TierTables, household: str, month: date) -> Explanation:
    row = await queries.accrual(conn, household, month)
    statement = await queries.statement(conn, household, month)
    table: TierTable | None = None  # none, nor a result, for a month the household has no accrual in
    result: MonthBonus | None = None
    if row is not None:
        table = tables.table_for(row["cooperative_id"], month)
        result = compute_month(table, totals_of(row))
    lineage = [dict(r) for r in await queries.lineage(conn, household, month)]
    return Explanation(
        household_id=household, month=month, status=await queries.month_status(conn, month) or "open",
        cooperative_id=row["cooperative_id"] if row else None, tier_table=table.name if table else None,
        result=result,
        statement=dict(statement) if statement else None,
        purchases=[r for r in lineage if r["booked_as"] == "accrual"],
        adjustments=await _adjustments(conn, tables, household, month, lineage, statement),
        paid_with_this_month=[dict(r) for r in await queries.adjustment_payouts_in(conn, household, month)],
    )
