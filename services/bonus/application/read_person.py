"""The bonus service's read endpoint for the register API: a person's Bonus — their own purchases as booked,
and the paid statements (Bonus, Fuel Bonus, payment-method benefit) of each household for the months the
person belonged to it (a household's Bonus pools every member's purchases)."""
from __future__ import annotations

from datetime import datetime

from services.bonus.adapters import person_reads as reads
from services.bonus.domain.months import month_of


async def bonus_part(conn, person_id: str, households: list[tuple[str, datetime, datetime | None]]) -> dict:
    """`households`: (household id, joined at, left at or None) of every household the person belonged to."""
    periods = [(h, month_of(joined), month_of(left) if left else None) for h, joined, left in households]
    return {"bookings": [dict(r) for r in await reads.bookings_of(conn, person_id)],
            "statements": [dict(r) for r in await reads.statements_of(conn, periods)] if periods else []}
