"""Erasure in the purchases schema: receipts past their retention, and one person's receipts."""
from __future__ import annotations

from datetime import datetime

import asyncpg

CHUNK = 5000


async def receipts_before(conn: asyncpg.Connection, cutoff: datetime) -> int:
    """Receipts bought before the cut-off, in chunks so a large backlog never holds one huge statement."""
    total = 0
    while True:
        status = await conn.execute(
            "DELETE FROM receipts WHERE receipt_id IN (SELECT receipt_id FROM receipts WHERE purchased_at < $1"
            " LIMIT $2)", cutoff, CHUNK)
        erased = int(status.split()[-1])
        total += erased
        if erased < CHUNK:
            return total


async def conflicts_before(conn: asyncpg.Connection, cutoff: datetime) -> int:
    return int((await conn.execute("DELETE FROM receipt_conflicts WHERE seen_at < $1", cutoff)).split()[-1])


async def of_person(conn: asyncpg.Connection, person_id: str) -> int:
    receipts = await conn.execute("DELETE FROM receipts WHERE person_id = $1", person_id)
    allocations = await conn.execute("DELETE FROM card_allocations WHERE person_id = $1", person_id)
    return int(receipts.split()[-1]) + int(allocations.split()[-1])
