"""The household's prohibitions on product-level purchase data (applied as receipts are stored: `receipts`)."""
from __future__ import annotations

import asyncpg


async def keep_latest(conn: asyncpg.Connection, rows: list[tuple]) -> list[str]:
    """Rows: (person, version, household, collection, targeting, services); older versions change nothing.
    Returns the households whose collection block is new: a person of theirs newly blocks it."""
    before = {r["person_id"]: r for r in await conn.fetch(
        "SELECT person_id, version, household_id, collection_blocked FROM product_data_consents"
        " WHERE person_id = ANY($1::text[])", [row[0] for row in rows])}
    newly: set[str] = set()
    for person_id, version, household_id, collection, *_ in rows:
        prior = before.get(person_id)
        if not (household_id and collection):
            continue
        if prior is None or (version > prior["version"] and not (
                prior["collection_blocked"] and prior["household_id"] == household_id)):
            newly.add(household_id)
    await conn.executemany("""
        INSERT INTO product_data_consents AS c (person_id, version, household_id, collection_blocked,
                                                targeting_blocked, services_blocked)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (person_id) DO UPDATE SET version = excluded.version, household_id = excluded.household_id,
            collection_blocked = excluded.collection_blocked, targeting_blocked = excluded.targeting_blocked,
            services_blocked = excluded.services_blocked
        WHERE c.version < excluded.version""", rows)
    return sorted(newly)


async def forget(conn: asyncpg.Connection, person_ids: list[str]) -> None:
    await conn.execute("DELETE FROM product_data_consents WHERE person_id = ANY($1::text[])", person_ids)
