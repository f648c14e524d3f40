"""PostgreSQL repository of the running household-month totals and their lineage."""
from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

import asyncpg

# The rows a booking writes: named tuples, which COPY and unnest take as they are and which cost what a
# tuple does on the ingest path.


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


class AccrualRow(NamedTuple):
    """What a batch adds to a household's month; the cooperative of its latest purchase."""

    household_id: str
    month: date
    cooperative_id: str
    bonus_cents: int
    double_cents: int
    fuel_cents: int
    fuel_millilitres: int
    payment_method_cents: int
    receipts: int
    last_purchase_at: datetime


class MemberPart(NamedTuple):
    month: date
    household_id: str
    person_id: str
    receipts: int
    bonus_eligible_cents: int


class CooperativePart(NamedTuple):
    month: date
    household_id: str
    outlet_cooperative_id: str  # '' when the event does not name it
    bonus_eligible_cents: int


class ExclusionPart(NamedTuple):
    month: date
    household_id: str
    reason: str
    cents: int


class AdjustmentRow(NamedTuple):
    """A purchase for a closing or closed month, paid with the next close at the month's recorded rate."""

    receipt_id: str
    household_id: str
    month: date
    cooperative_id: str
    bonus_cents: int
    double_cents: int
    fuel_cents: int
    fuel_millilitres: int
    payment_method_cents: int


async def lock_months(conn: asyncpg.Connection, months: set[date]) -> dict[date, str]:
    """The status of each month, share-locked until commit so a close cannot start under a booking."""
    await conn.execute("INSERT INTO months (month) SELECT unnest($1::date[]) ON CONFLICT DO NOTHING",
                       sorted(months))
    rows = await conn.fetch("SELECT month, status FROM months WHERE month = ANY($1::date[]) "
                            "ORDER BY month FOR SHARE", sorted(months))
    return {r["month"]: r["status"] for r in rows}


async def original_months(conn: asyncpg.Connection, receipt_ids: list[str]) -> dict[str, date]:
    if not receipt_ids:
        return {}
    rows = await conn.fetch("SELECT receipt_id, month FROM purchases WHERE receipt_id = ANY($1::text[])",
                            receipt_ids)
    return {r["receipt_id"]: r["month"] for r in rows}


async def double_bonus_outlets(conn: asyncpg.Connection, outlets: list[str], start: datetime,
                               end: datetime) -> list[tuple[str, datetime, datetime]]:
    rows = await conn.fetch(
        "SELECT outlet_id, starts_at, ends_at FROM double_bonus_campaigns WHERE outlet_id = ANY($1::text[])"
        " AND starts_at <= $3 AND ends_at > $2", outlets, start, end)
    return [(r["outlet_id"], r["starts_at"], r["ends_at"]) for r in rows]


async def insert_lineage(conn: asyncpg.Connection, rows: list[LineageRow]) -> set[str]:
    """Store each purchase once by receipt id; return the receipt ids that are new."""
    await conn.execute("CREATE TEMP TABLE IF NOT EXISTS lineage_staging (LIKE purchases) ON COMMIT DELETE ROWS")
    await conn.copy_records_to_table("lineage_staging", records=rows, columns=list(LINEAGE_COLUMNS))
    inserted = await conn.fetch(
        "INSERT INTO purchases SELECT DISTINCT ON (receipt_id) * FROM lineage_staging ORDER BY receipt_id "
        "ON CONFLICT (receipt_id) DO NOTHING RETURNING receipt_id")
    return {r["receipt_id"] for r in inserted}


async def add_to_accruals(conn: asyncpg.Connection, rows: list[AccrualRow]) -> list[asyncpg.Record]:
    """Returns the new totals. The cooperative of the latest purchase wins: a transfer moves the whole
    month."""
    if not rows:
        return []
    columns = list(zip(*rows, strict=True))
    return await conn.fetch("""
        INSERT INTO accruals AS a (household_id, month, cooperative_id, bonus_cents, double_cents, fuel_cents,
                                   fuel_millilitres, payment_method_cents, receipts, last_purchase_at)
        SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[],
                             $7::bigint[], $8::bigint[], $9::int[], $10::timestamptz[])
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
        RETURNING *""", *columns)


async def add_to_statement_parts(conn: asyncpg.Connection, members: list[MemberPart],
                                  cooperatives: list[CooperativePart], exclusions: list[ExclusionPart]) -> None:
    """What the month's statement needs beyond the totals: each member's receipts and Bonus purchases,
    the Bonus purchases by the outlet's cooperative, the excluded purchases by reason."""
    if members:
        await conn.execute("""
            INSERT INTO accrual_members AS m (month, household_id, person_id, receipts, bonus_eligible_cents)
            SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::int[], $5::bigint[])
            ON CONFLICT (month, household_id, person_id) DO UPDATE SET receipts = m.receipts + excluded.receipts,
                bonus_eligible_cents = m.bonus_eligible_cents + excluded.bonus_eligible_cents""",
        *zip(*members, strict=True))
    if cooperatives:
        await conn.execute("""
            INSERT INTO accrual_outlet_cooperatives AS o (month, household_id, outlet_cooperative_id,
                                                          bonus_eligible_cents)
            SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::bigint[])
            ON CONFLICT (month, household_id, outlet_cooperative_id) DO UPDATE SET
                bonus_eligible_cents = o.bonus_eligible_cents + excluded.bonus_eligible_cents""",
        *zip(*cooperatives, strict=True))
    if exclusions:
        await conn.execute("""
            INSERT INTO accrual_exclusions AS x (month, household_id, reason, cents)
            SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::bigint[])
            ON CONFLICT (month, household_id, reason) DO UPDATE SET cents = x.cents + excluded.cents""",
            *zip(*exclusions, strict=True))


async def add_adjustments(conn: asyncpg.Connection, rows: list[AdjustmentRow]) -> None:
    await conn.executemany(
        "INSERT INTO adjustments (receipt_id, household_id, month, cooperative_id, bonus_cents, double_cents,"
        " fuel_cents, fuel_millilitres, payment_method_cents) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT DO NOTHING", rows)
