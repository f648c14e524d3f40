"""PostgreSQL side of paying back withheld Bonus: what the month's statement withheld, and each return once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.db import Connection


@dataclass(frozen=True)
class Withheld:
    """What a household-month's statement applied to the open contribution, by kind, and its rate."""

    rate_bp: int
    bonus_cents: int
    payment_method_benefit_cents: int


async def withheld(conn: Connection, household_id: str, month: date) -> Withheld | None:
    row = await conn.fetchrow(
        "SELECT rate_bp, bonus_cents - bonus_cash_cents AS bonus,"
        " payment_method_benefit_cents - payment_method_benefit_cash_cents AS benefit"
        " FROM statements WHERE month = $1 AND household_id = $2", month, household_id)
    return None if row is None else Withheld(row["rate_bp"], row["bonus"], row["benefit"])


async def record(conn: Connection, return_id: str, payout_id: str, household_id: str, month: date,
                 returned_cents: int, reason: str, paid_payout_id: str) -> bool:
    """Record the return; False if it was recorded (and paid) before."""
    return await conn.fetchval(
        "INSERT INTO returned_credits (return_id, payout_id, household_id, month, returned_cents, reason,"
        " paid_payout_id) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING true",
        return_id, payout_id, household_id, month, returned_cents, reason, paid_payout_id) is not None
