"""PostgreSQL repository of the running household-month totals and their lineage."""
from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import asyncpg

from shared.db import Connection

# The row a booking stages: a named tuple, which COPY takes as it is and which costs what a tuple does on
# the ingest path.


class LineageRow(NamedTuple):
    """A purchase as booked, once per receipt id."""

    receipt_id: str
    household_id: str
    person_id: str
    cooperative_id: str
    outlet_id: str
    purchased_at: datetime
    month: date
    bonus_cents: int
    double_cents: int
    fuel_cents: int
    fuel_millilitres: int
    payment_method_cents: int
    excluded: str  # JSON: the exclusions kept
    return_of: str | None
    booked_as: str  # accrual, or adjustment of a closing or closed month
    outlet_cooperative_id: str | None


LINEAGE_COLUMNS = LineageRow._fields


async def lock_months(conn: Connection, months: set[date]) -> dict[date, str]:
    """The status of each month, share-locked until commit so a close cannot start under a booking."""
    await conn.execute("INSERT INTO months (month) SELECT unnest($1::date[]) ON CONFLICT DO NOTHING",
                       sorted(months))
    rows = await conn.fetch("SELECT month, status FROM months WHERE month = ANY($1::date[]) "
                            "ORDER BY month FOR SHARE", sorted(months))
    return {r["month"]: r["status"] for r in rows}


async def original_months(conn: Connection, receipt_ids: list[str]) -> dict[str, date]:
    if not receipt_ids:
        return {}
    rows = await conn.fetch("SELECT receipt_id, month FROM purchases WHERE receipt_id = ANY($1::text[])",
                            receipt_ids)
    return {r["receipt_id"]: r["month"] for r in rows}


async def double_bonus_outlets(conn: Connection, outlets: list[str], start: datetime,
                               end: datetime) -> list[tuple[str, datetime, datetime]]:
    rows = await conn.fetch(
        "SELECT outlet_id, starts_at, ends_at FROM double_bonus_campaigns WHERE outlet_id = ANY($1::text[])"
        " AND starts_at <= $3 AND ends_at > $2", outlets, start, end)
    return [(r["outlet_id"], r["starts_at"], r["ends_at"]) for r in rows]


# A batch's purchases are staged with COPY (in arrival order, `seq`) and booked by one statement: each
# stored once by receipt id, and only those new to the lineage added up, in PostgreSQL, into their
# household-month's totals and statement parts (an open month) or kept as adjustments (a closing or
# closed one). The sums come from the rows the lineage took, so a redelivered purchase adds nothing.
CREATE_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS booking_staging (LIKE purchases, seq serial) ON COMMIT DELETE ROWS
"""

BOOK = f"""
WITH first_of_each AS (SELECT DISTINCT ON (receipt_id) * FROM booking_staging ORDER BY receipt_id, seq),
new AS (
    INSERT INTO purchases ({", ".join(LINEAGE_COLUMNS)})
    SELECT {", ".join(LINEAGE_COLUMNS)} FROM first_of_each
    ON CONFLICT (receipt_id) DO NOTHING
    RETURNING *
),
accruing AS (SELECT n.*, f.seq FROM new n JOIN first_of_each f USING (receipt_id) WHERE n.booked_as = 'accrual'),
members AS (
    INSERT INTO accrual_members AS m (month, household_id, person_id, receipts, bonus_eligible_cents)
    SELECT month, household_id, person_id, count(*), sum(bonus_cents + double_cents)
    FROM accruing GROUP BY month, household_id, person_id
    ON CONFLICT (month, household_id, person_id) DO UPDATE SET receipts = m.receipts + excluded.receipts,
        bonus_eligible_cents = m.bonus_eligible_cents + excluded.bonus_eligible_cents
    RETURNING 1
),
cooperatives AS (
    INSERT INTO accrual_outlet_cooperatives AS o (month, household_id, outlet_cooperative_id, bonus_eligible_cents)
    SELECT month, household_id, coalesce(outlet_cooperative_id, ''), sum(bonus_cents + double_cents)
    FROM accruing GROUP BY month, household_id, coalesce(outlet_cooperative_id, '')
    ON CONFLICT (month, household_id, outlet_cooperative_id) DO UPDATE SET
        bonus_eligible_cents = o.bonus_eligible_cents + excluded.bonus_eligible_cents
    RETURNING 1
),
exclusions AS (
    INSERT INTO accrual_exclusions AS x (month, household_id, reason, cents)
    SELECT a.month, a.household_id, e->>'reason', sum((e->>'cents')::bigint)
    FROM accruing a CROSS JOIN LATERAL jsonb_array_elements(a.excluded) e
    GROUP BY a.month, a.household_id, e->>'reason'
    ON CONFLICT (month, household_id, reason) DO UPDATE SET cents = x.cents + excluded.cents
    RETURNING 1
),
adjusted AS (
    INSERT INTO adjustments (receipt_id, household_id, month, cooperative_id, bonus_cents, double_cents,
                             fuel_cents, fuel_millilitres, payment_method_cents)
    SELECT receipt_id, household_id, month, cooperative_id, bonus_cents, double_cents, fuel_cents,
           fuel_millilitres, payment_method_cents
    FROM new WHERE booked_as = 'adjustment'
    ON CONFLICT DO NOTHING
    RETURNING 1
)
-- The month's running totals; the cooperative of the latest purchase wins (a transfer moves the whole
-- month), among purchases at the same moment the last to arrive.
INSERT INTO accruals AS a (household_id, month, cooperative_id, bonus_cents, double_cents, fuel_cents,
                           fuel_millilitres, payment_method_cents, receipts, last_purchase_at)
SELECT household_id, month, (array_agg(cooperative_id ORDER BY purchased_at DESC, seq DESC))[1],
       sum(bonus_cents), sum(double_cents), sum(fuel_cents), sum(fuel_millilitres), sum(payment_method_cents),
       count(*), max(purchased_at)
FROM accruing GROUP BY household_id, month
ON CONFLICT (household_id, month) DO UPDATE SET
    bonus_cents = a.bonus_cents + excluded.bonus_cents,
    double_cents = a.double_cents + excluded.double_cents,
    fuel_cents = a.fuel_cents + excluded.fuel_cents,
    fuel_millilitres = a.fuel_millilitres + excluded.fuel_millilitres,
    payment_method_cents = a.payment_method_cents + excluded.payment_method_cents,
    receipts = a.receipts + excluded.receipts,
    cooperative_id = CASE WHEN excluded.last_purchase_at >= a.last_purchase_at
                          THEN excluded.cooperative_id ELSE a.cooperative_id END,
    last_purchase_at = greatest(a.last_purchase_at, excluded.last_purchase_at)
RETURNING *
"""


async def book(conn: Connection, rows: list[LineageRow]) -> list[asyncpg.Record]:
    """Book the purchases (each once by receipt id, `booked_as` says where); returns the new totals of the
    household-months that accrued."""
    await conn.execute(CREATE_STAGING)
    await conn.copy_records_to_table("booking_staging", records=rows, columns=list(LINEAGE_COLUMNS))
    return await conn.fetch(BOOK)
