"""Operators' reads of the receipts that did not simply go through: conflicting duplicates and receipts
held unresolved. Aggregates only, never an identifier or a person (the receipt id is the POS's own)."""
from __future__ import annotations

import asyncpg

from shared.db import Connection

# A receipt's age is counted from its purchase time, the moment Bonus would have been earned; unresolved
# receipts are found through their partial index (status <> 'accepted'), never a scan of all receipts.
AGE_BANDS = """CASE WHEN purchased_at > now() - interval '1 day' THEN 'under_1_day'
                    WHEN purchased_at > now() - interval '7 days' THEN '1_to_7_days'
                    ELSE 'over_7_days' END"""

UNRESOLVED = f"""
SELECT outlet_id, {AGE_BANDS} AS age, count(*) AS receipts,
       count(*) FILTER (WHERE status = 'unresolved_expired') AS expired, min(purchased_at) AS oldest_purchased_at
FROM receipts WHERE status <> 'accepted'
GROUP BY 1, 2 ORDER BY 1, 2"""

CONFLICTS = """
SELECT c.receipt_id, c.seen_at,
       (SELECT r.outlet_id FROM receipts r WHERE r.receipt_id = c.receipt_id AND r.purchased_at = i.purchased_at)
           AS outlet_id
FROM receipt_conflicts c LEFT JOIN receipt_ids i USING (receipt_id)
ORDER BY c.seen_at DESC, c.receipt_id LIMIT $1"""


# Partner purchases stored without Bonus because their customer was not registered with the partner, per
# partner (the outlet of a partner purchase), found through their partial index.
PARTNER_NOT_CREDITED = """
SELECT outlet_id AS partner_id, count(*) AS purchases FROM receipts
WHERE chain = 'partner' AND bonus_eligible_cents = 0 AND excluded::text LIKE '%partner_not_registered%'
GROUP BY 1 ORDER BY 1"""


async def partner_not_credited(conn: Connection) -> list[asyncpg.Record]:
    return await conn.fetch(PARTNER_NOT_CREDITED)


async def unresolved(conn: Connection) -> list[asyncpg.Record]:
    return await conn.fetch(UNRESOLVED)


async def conflicts(conn: Connection, limit: int) -> tuple[int, list[asyncpg.Record]]:
    total = await conn.fetchval("SELECT count(*) FROM receipt_conflicts")
    return total, await conn.fetch(CONFLICTS, limit)
