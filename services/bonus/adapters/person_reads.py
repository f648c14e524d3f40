"""Read-only queries of a person's Bonus: their booked purchases and the statements of the households they
belonged to, for the register API's views and extracts."""
from __future__ import annotations

from datetime import date

import asyncpg

from shared.db import Connection

# $1..$3 the periods: household, first month, last month (null: to this day). Month by month, as the
# statements are keyed (month first), so each is one lookup of the key.
STATEMENTS_OF_PERIODS = """
SELECT s.household_id, s.month, s.cooperative_id, s.tier_table, s.rate_bp, s.tier_total_cents, s.bonus_cents,
       s.fuel_bonus_cents, s.payment_method_benefit_cents, s.contribution_cents, s.closed_at
FROM unnest($1::text[], $2::date[], $3::date[]) AS p(household_id, first_month, last_month)
CROSS JOIN LATERAL generate_series(p.first_month, coalesce(p.last_month, (SELECT max(month) FROM statements)),
                                   interval '1 month') AS m(month)
JOIN statements s ON s.month = m.month::date AND s.household_id = p.household_id
ORDER BY s.month, s.household_id"""


async def bookings_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT receipt_id, household_id, month, purchased_at, outlet_id, bonus_cents, double_cents, fuel_cents,"
        " fuel_millilitres, payment_method_cents, booked_as FROM purchases WHERE person_id = $1"
        " ORDER BY purchased_at, receipt_id", person_id)


async def statements_of(conn: Connection, periods: list[tuple[str, date, date | None]]) -> list[asyncpg.Record]:
    return await conn.fetch(STATEMENTS_OF_PERIODS, [p[0] for p in periods], [p[1] for p in periods],
                            [p[2] for p in periods])
