"""The household's prohibitions on product-level purchase data (applied as receipts are stored: `receipts`)."""
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
