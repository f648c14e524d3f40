"""The household's prohibitions on product-level purchase data (applied as receipts are stored: `receipts`)."""
from __future__ import annotations

from typing import NamedTuple

from shared.db import Connection


class ProductDataConsent(NamedTuple):
    """A person's consent state as far as product data goes, as `product_data_consents` keeps it."""

    person_id: str
    version: int
    household_id: str | None
    collection_blocked: bool
    targeting_blocked: bool
    services_blocked: bool
    e_receipts: bool  # chosen
    warranty_receipts_blocked: bool


async def keep_latest(conn: Connection, rows: list[ProductDataConsent]) -> list[str]:
    """Each person's latest state; older versions change nothing.
    Returns the households whose collection block is new: a person of theirs newly blocks it."""
    before = {r["person_id"]: r for r in await conn.fetch(
        "SELECT person_id, version, household_id, collection_blocked FROM product_data_consents"
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
        INSERT INTO product_data_consents AS c (person_id, version, household_id, collection_blocked,
                                                targeting_blocked, services_blocked, e_receipts,
                                                warranty_receipts_blocked)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (person_id) DO UPDATE SET version = excluded.version, household_id = excluded.household_id,
            collection_blocked = excluded.collection_blocked, targeting_blocked = excluded.targeting_blocked,
            services_blocked = excluded.services_blocked, e_receipts = excluded.e_receipts,
            warranty_receipts_blocked = excluded.warranty_receipts_blocked
        WHERE c.version < excluded.version""", rows)
    return sorted(newly)


async def forget(conn: Connection, person_ids: list[str]) -> None:
    await conn.execute("DELETE FROM product_data_consents WHERE person_id = ANY($1::text[])", person_ids)
