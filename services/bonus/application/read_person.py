"""The bonus service's read endpoint for the register API: a person's Bonus — their own purchases as booked,
and the paid statements (Bonus, Fuel Bonus, payment-method benefit) of each household for the months the
person belonged to it (a household's Bonus pools every member's purchases)."""
from __future__ import annotations

from datetime import datetime
from functools import cache

import orjson

from services.bonus.adapters import person_reads as reads
from services.bonus.application.explain import explain, month_to_date
from services.bonus.domain import TierTables, load_tier_tables
from services.bonus.domain.months import month_label, month_of, parse_month
from shared.db import Connection


async def bonus_part(conn: Connection, person_id: str, households: list[tuple[str, datetime, datetime | None]]) -> dict:
    """`households`: (household id, joined at, left at or None) of every household the person belonged to."""
    periods = [(h, month_of(joined), month_of(left) if left else None) for h, joined, left in households]
    return {"bookings": [dict(r) for r in await reads.bookings_of(conn, person_id)],
            "statements": [dict(r) for r in await reads.statements_of(conn, periods)] if periods else []}


@cache
def _tables() -> TierTables:
    return load_tier_tables()


async def month_to_date_part(conn: Connection, household_id: str | None, now: datetime) -> dict | None:
    """The current household's month so far (total, current %, Bonus, euros to the next tier), as the
    customer apps show it; None without a household or a purchase this month."""
    month = month_of(now)
    result = await month_to_date(conn, _tables(), household_id, month) if household_id else None
    if result is None:
        return None
    return {"household_id": household_id, "month": month_label(month), **vars(result)}


def _lineage(row: dict) -> dict:
    """A booked receipt as staff read it: its exclusions as data, not the stored JSON text."""
    excluded = row["excluded"]
    return {**row, "excluded": orjson.loads(excluded) if isinstance(excluded, (str, bytes)) else excluded}


async def household_explained(conn: Connection, household_id: str, month: str) -> dict | None:
    """A household's month explained for staff (`coopreg bonus explain`): the totals, tier and amounts, the
    statement if it closed, the receipts behind the totals, and apart from them the adjustments (purchases and
    returns booked after the month began closing) with what the closes paid for them and what is pending;
    None when the service knows nothing of the household in that month."""
    found = await explain(conn, _tables(), household_id, parse_month(month))
    if found.empty:
        return None
    adjustments = found.adjustments
    pending = adjustments.pending
    return {
        "household_id": household_id, "month": month, "status": found.status,
        "cooperative_id": found.cooperative_id, "tier_table": found.tier_table,
        "totals": vars(found.result) if found.result else None, "statement": found.statement,
        "receipts": [_lineage(r) for r in found.purchases],
        "adjustments": {
            "receipts": [_lineage(r) for r in adjustments.receipts],
            "paid": adjustments.paid,
            "pending": {"rate_bp": adjustments.pending_rate_bp, **vars(pending),
                        "total_cents": pending.total_cents} if pending else None},
        "adjustments_of_earlier_months_paid": found.paid_with_this_month,
    }


async def household_month_to_date(conn: Connection, household_id: str, month: str) -> dict | None:
    result = await month_to_date(conn, _tables(), household_id, parse_month(month))
    return {"household_id": household_id, "month": month, **vars(result)} if result else None
