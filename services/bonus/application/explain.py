"""Queries: a household's month explained (statement with lineage), and its month to date."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.bonus.adapters import queries
from services.bonus.application.month_to_date import totals_of
from services.bonus.domain import MonthBonus, TierTables, compute_month


@dataclass(frozen=True)
class Explanation:
    household_id: str
    month: date
    status: str
    cooperative_id: str | None
    tier_table: str | None
    result: MonthBonus | None
    statement: dict | None
    purchases: list[dict]


async def month_to_date(conn, tables: TierTables, household: str, month: date) -> MonthBonus | None:
    """Current total, current %, and euros to the next tier, as the customer apps show them."""
    row = await queries.accrual(conn, household, month)
    if row is None:
        return None
    return compute_month(tables.table_for(row["cooperative_id"], month), totals_of(row))


async def explain(conn, tables: TierTables, household: str, month: date) -> Explanation:
    row = await queries.accrual(conn, household, month)
    statement = await queries.statement(conn, household, month)
    table = tables.table_for(row["cooperative_id"], month) if row else None
    return Explanation(
        household_id=household, month=month, status=await queries.month_status(conn, month) or "open",
        cooperative_id=row["cooperative_id"] if row else None, tier_table=table.name if table else None,
        result=compute_month(table, totals_of(row)) if row else None,
        statement=dict(statement) if statement else None,
        purchases=[dict(r) for r in await queries.lineage(conn, household, month)],
    )
