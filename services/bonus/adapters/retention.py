"""Erasure in the bonus schema: booked purchases and paid months past their retention, and one person's
booked purchases."""
from __future__ import annotations

from datetime import datetime

from shared.db import Connection, changed

# A month's end (its first day + 1 month, Finnish time) before the cut-off.
MONTH_ENDED = "({column} + interval '1 month') <= ($1 AT TIME ZONE 'Europe/Helsinki')"


async def bookings_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM purchases WHERE purchased_at < $1", cutoff)


async def months_ended_before(conn: Connection, cutoff: datetime) -> int:
    """Statements (Bonus, Fuel Bonus, payment-method benefit paid), adjustments and accruals of old months."""
    total = 0
    for table, column in (("statements", "month"), ("adjustment_payouts", "paid_in_month"),
                          ("returned_credits", "month"),
                          ("adjustments", "month"), ("accruals", "month"), ("accrual_members", "month"),
                          ("accrual_outlet_cooperatives", "month"), ("accrual_exclusions", "month")):
        total += await changed(conn, f"DELETE FROM {table} WHERE {MONTH_ENDED.format(column=column)}", cutoff)
    return total


async def of_person(conn: Connection, person_id: str) -> int:
    """The person's booked purchases, their share of their households' months, their product-data block and
    the benefit account of theirs a household's payouts would go to (sealed under their key, which the erasure
    destroys: a payout still due is held until membership names another account)."""
    return (await changed(conn, "DELETE FROM purchases WHERE person_id = $1", person_id)
            + await changed(conn, "DELETE FROM accrual_members WHERE person_id = $1", person_id)
            + await changed(conn, "DELETE FROM product_data_blocks WHERE person_id = $1", person_id)
            + await changed(conn, "UPDATE household_accounts SET benefit_account = NULL"
                                  " WHERE benefit_account->>'sealed_for' = $1", person_id))
