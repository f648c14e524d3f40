"""PostgreSQL side of staff discounts: the people's right to the staff discount (from `membership.persons.v1`)
and the staff discounts given on receipts, for staff to review (`receipts.STAFF_DISCOUNT_FLAGGED`)."""
from __future__ import annotations

from typing import NamedTuple

import asyncpg

from shared.db import Connection, changed


class StaffRight(NamedTuple):
    person_id: str
    version: int
    has_right: bool


async def keep_rights(conn: Connection, rights: list[StaffRight]) -> None:
    """The latest state of each person's right; an older version changes nothing."""
    await conn.executemany("""
        INSERT INTO staff_discount_rights AS d (person_id, version, has_right) VALUES ($1, $2, $3)
        ON CONFLICT (person_id) DO UPDATE SET version = excluded.version, has_right = excluded.has_right
        WHERE d.version < excluded.version""", rights)


async def forget(conn: Connection, person_ids: list[str]) -> int:
    return await changed(conn, "DELETE FROM staff_discount_rights WHERE person_id = ANY($1::text[])", person_ids)


# Found through their partial index; no person, identifier or line: the receipt id and outlet are what
# staff need to look into a discount at the outlet, and the person's own extract shows it to them.
DISCOUNTS = """
SELECT receipt_id, outlet_id, chain, purchased_at, staff_discount_cents, staff_discount_flagged AS flagged
FROM receipts WHERE staff_discount_cents IS NOT NULL AND (NOT $1 OR staff_discount_flagged)
ORDER BY purchased_at DESC, receipt_id LIMIT $2"""


async def discounts(conn: Connection, flagged_only: bool, limit: int) -> tuple[int, list[asyncpg.Record]]:
    total = await conn.fetchval("SELECT count(*) FROM receipts WHERE staff_discount_cents IS NOT NULL"
                                " AND (NOT $1 OR staff_discount_flagged)", flagged_only)
    return total, await conn.fetch(DISCOUNTS, flagged_only, limit)
