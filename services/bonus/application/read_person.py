"""The bonus service's read endpoint for the register API: a person's Bonus — their own purchases as booked,
and the paid statements (Bonus, Fuel Bonus, payment-method benefit) of each household for the months the
person belonged to it (a household's Bonus pools every member's purchases)."""
from __future__ import annotations

from datetime import datetime
from functools import cache

from services.bonus.adapters import person_reads as reads
from services.bonus.application.explain import month_to_date
from services.bonus.domain import TierTables, load_tier_tables
from services.bonus.domain.months import month_label, month_of


async def bonus_part(conn, person_id: str, households: list[tuple[str, datetime, datetime | None]]) -> dict:
    """`households`: (household id, joined at, left at or None) of every household the person belonged to."""
    periods = [(h, month_of(joined), month_of(left) if left else None) for h, joined, left in households]
    return {"bookings": [dict(r) for r in await reads.bookings_of(conn, person_id)],
            "statements": [dict(r) for r in await reads.statements_of(conn, periods)] if periods else []}


@cache
def _tables() -> TierTables:
    return load_tier_tables()


async def month_to_date_part(conn, household_id: str | None, now: datetime) -> dict | None:
    """The current household's month so far (total, current %, Bonus, euros to the next tier), as the
    customer apps show it; None without a household or a purchase this month."""
    month = month_of(now)
    result = await month_to_date(conn, _tables(), household_id, month) if household_id else None
    if result is None:
        return None
    return {"household_id": household_id, "month": month_label(month), **vars(result)}
