"""The household's prohibitions on product-level purchase data, and applying them to stored receipts."""
from __future__ import annotations

import asyncpg


async def keep_latest(conn: asyncpg.Connection, rows: list[tuple]) -> None:
    """Rows: (person, version, household, collection, targeting, services); older versions change nothing."""
    await conn.executemany("""
        INSERT INTO product_data_consents AS c (person_id, version, household_id, collection_blocked,
                                                targeting_blocked, services_blocked)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (person_id) DO UPDATE SET version = excluded.version, household_id = excluded.household_id,
            collection_blocked = excluded.collection_blocked, targeting_blocked = excluded.targeting_blocked,
            services_blocked = excluded.services_blocked
        WHERE c.version < excluded.version""", rows)


async def apply_to_receipts(conn: asyncpg.Connection, receipt_ids: list[str]) -> None:
    """A household that forbade collecting product-level data keeps the receipt total only (and what the
    Bonus needs, which is on the receipt row); one that forbade its use keeps the lines, flagged."""
    if receipt_ids:
        await conn.execute("""
            UPDATE receipts r SET lines = CASE WHEN c.collection THEN '[]'::jsonb ELSE r.lines END,
                   product_data_targeting_blocked = c.targeting, product_data_services_blocked = c.services
            FROM (SELECT household_id, bool_or(collection_blocked) AS collection,
                         bool_or(targeting_blocked) AS targeting, bool_or(services_blocked) AS services
                  FROM product_data_consents WHERE household_id IS NOT NULL GROUP BY household_id) c
            WHERE r.receipt_id = ANY($1::text[]) AND r.household_id = c.household_id""", receipt_ids)
