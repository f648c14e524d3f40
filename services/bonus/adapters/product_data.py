"""PostgreSQL side of the households' no-collection block in the bonus service: the projection of
consent.states.v1, and the removal of line detail from the lineage and the month's exclusions by reason.

A booking and a household's new block meet under the same lock: bookings take their households' buckets
shared before reading the block, a new block takes them exclusive before removing the detail, so a booking
either commits before the removal reads the lineage or sees the block. Households share 256 buckets, so a
batch holds at most 256 locks whatever its size."""
from __future__ import annotations

from typing import NamedTuple

from shared.db import Connection

LOCK_HOUSEHOLDS = """
SELECT {function}(hashtext('bonus:household'), bucket)
FROM (SELECT DISTINCT hashtext(h) & 255 AS bucket FROM unnest($1::text[]) h ORDER BY bucket) buckets
"""
LINE_EXCLUSION = "jsonb_typeof(e->'line_no') = 'number'"

# The lineage's exclusions naming a line, removed from the households' booked purchases; returned summed
# by household, month and reason for those booked into an open month's accrual (the only ones counted in
# `accrual_exclusions`).
REMOVE_FROM_LINEAGE = f"""
WITH old AS (
    SELECT receipt_id, household_id, month, booked_as, excluded FROM purchases
    WHERE household_id = ANY($1::text[]) AND jsonb_path_exists(excluded, '$[*] ? (@.line_no != null)')
    FOR UPDATE
), scrubbed AS (
    UPDATE purchases p SET excluded = (SELECT coalesce(jsonb_agg(e), '[]'::jsonb)
                                       FROM jsonb_array_elements(old.excluded) e WHERE NOT {LINE_EXCLUSION})
    FROM old WHERE p.receipt_id = old.receipt_id
)
SELECT old.month, old.household_id, e->>'reason' AS reason, sum((e->>'cents')::bigint) AS cents
FROM old, jsonb_array_elements(old.excluded) e
WHERE old.booked_as = 'accrual' AND {LINE_EXCLUSION}
GROUP BY 1, 2, 3
"""

REMOVED = "unnest($1::date[], $2::text[], $3::text[], $4::bigint[]) AS r(month, household_id, reason, cents)"
MATCHES = "x.month = r.month AND x.household_id = r.household_id AND x.reason = r.reason"


class ProductDataBlock(NamedTuple):
    """A person's no-collection block as consent.states.v1 last said it, as `product_data_blocks` keeps it."""

    person_id: str
    version: int
    household_id: str | None
    collection_blocked: bool


async def keep_latest(conn: Connection, rows: list[ProductDataBlock]) -> list[str]:
    """Each person's latest block; an older version changes nothing. Returns the households whose block
    is new: a person of theirs newly blocks it."""
    before = {r["person_id"]: r for r in await conn.fetch(
        "SELECT person_id, version, household_id, collection_blocked FROM product_data_blocks"
        " WHERE person_id = ANY($1::text[])", [row.person_id for row in rows])}
    newly: set[str] = set()
    for row in rows:
        prior = before.get(row.person_id)
        if not (row.household_id and row.collection_blocked):
            continue
        if prior is None or (row.version > prior["version"] and not (
                prior["collection_blocked"] and prior["household_id"] == row.household_id)):
            newly.add(row.household_id)
    await conn.executemany("""
        INSERT INTO product_data_blocks AS b (person_id, version, household_id, collection_blocked)
        VALUES ($1, $2, $3, $4)
        ON CONFLICT (person_id) DO UPDATE SET version = excluded.version, household_id = excluded.household_id,
            collection_blocked = excluded.collection_blocked
        WHERE b.version < excluded.version""", rows)
    return sorted(newly)


async def forget(conn: Connection, person_ids: list[str]) -> None:
    await conn.execute("DELETE FROM product_data_blocks WHERE person_id = ANY($1::text[])", person_ids)


async def blocked_households(conn: Connection, households: list[str]) -> set[str]:
    """Of `households`, those under the block, their buckets share-locked until commit (a booking)."""
    await conn.execute(LOCK_HOUSEHOLDS.format(function="pg_advisory_xact_lock_shared"), households)
    rows = await conn.fetch("SELECT DISTINCT household_id FROM product_data_blocks"
                            " WHERE household_id = ANY($1::text[]) AND collection_blocked", households)
    return {r["household_id"] for r in rows}


async def remove_line_detail(conn: Connection, households: list[str]) -> None:
    """Remove every exclusion naming a line from the households' lineage and take it off their months'
    exclusions by reason (a reason left at nothing goes)."""
    await conn.execute(LOCK_HOUSEHOLDS.format(function="pg_advisory_xact_lock"), households)
    removed = await conn.fetch(REMOVE_FROM_LINEAGE, households)
    if removed:
        rows = [(r["month"], r["household_id"], r["reason"], r["cents"]) for r in removed]
        columns = [list(c) for c in zip(*rows, strict=True)]
        await conn.execute(f"UPDATE accrual_exclusions x SET cents = x.cents - r.cents FROM {REMOVED}"
                           f" WHERE {MATCHES}", *columns)
        await conn.execute(f"DELETE FROM accrual_exclusions x USING {REMOVED} WHERE {MATCHES} AND x.cents = 0",
                           *columns)
