"""PostgreSQL side of consent receipts (append-only) and the statement in force per person and item."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from shared.db import Connection


@dataclass(frozen=True)
class Receipt:
    """One statement as received: who, what, from where, as of when."""

    person_id: str
    item: str
    value: bool
    source: str
    collection_point: str
    actor: str
    at: datetime
    cause_id: str


async def append(conn: Connection, receipt: Receipt) -> int:
    return await conn.fetchval("""
        INSERT INTO consent_receipts (person_id, item, value, source, collection_point, actor, source_time,
                                      cause_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING receipt_id""",
        receipt.person_id, receipt.item, receipt.value, receipt.source, receipt.collection_point,
        receipt.actor, receipt.at, receipt.cause_id)


async def in_force(conn: Connection, person_id: str, item: str) -> tuple[bool, datetime] | None:
    row = await conn.fetchrow("SELECT value, source_time FROM consent_items WHERE person_id = $1 AND item = $2",
                              person_id, item)
    return (row["value"], row["source_time"]) if row else None


async def put_in_force(conn: Connection, receipt: Receipt, receipt_id: int) -> None:
    await conn.execute("""
        INSERT INTO consent_items (person_id, item, value, source_time, receipt_id) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (person_id, item) DO UPDATE SET value = excluded.value, source_time = excluded.source_time,
            receipt_id = excluded.receipt_id""",
        receipt.person_id, receipt.item, receipt.value, receipt.at, receipt_id)


async def items(conn: Connection, person_ids: list[str]) -> dict[str, dict[str, bool]]:
    """Each person's items in force (a person without any: an empty dict)."""
    rows = await conn.fetch("SELECT person_id, item, value FROM consent_items WHERE person_id = ANY($1)",
                            person_ids)
    found: dict[str, dict[str, bool]] = {person_id: {} for person_id in person_ids}
    for row in rows:
        found[row["person_id"]][row["item"]] = row["value"]
    return found


async def history(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM consent_history WHERE person_id = $1 ORDER BY item, source_time,"
                            " receipt_id", person_id)


async def erase(conn: Connection, person_id: str) -> None:
    await conn.execute("DELETE FROM consent_items WHERE person_id = $1", person_id)
    await conn.execute("DELETE FROM consent_receipts WHERE person_id = $1", person_id)
