"""S-Bank's consent statements parked until the register links their reference to a person."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import orjson

from shared.db import Connection


async def park(conn: Connection, ref: str, statements: list[dict], cause_id: str) -> None:
    await conn.execute("INSERT INTO sbank_parked (sbank_customer_ref, statements, cause_id) VALUES ($1, $2, $3)",
                       ref, orjson.dumps(statements).decode(), cause_id)


async def take(conn: Connection, ref: str) -> list[tuple[list[dict], str]]:
    """The parked statements of `ref` (removed), in arrival order, with their cause ids."""
    rows = await conn.fetch("DELETE FROM sbank_parked WHERE sbank_customer_ref = $1"
                            " RETURNING id, statements, cause_id", ref)
    return [(orjson.loads(r["statements"]), r["cause_id"]) for r in sorted(rows, key=lambda r: r["id"])]


class Linked(NamedTuple):
    """A reference with statements parked, and the person it is linked to now."""

    sbank_customer_ref: str
    person_id: str


async def linked_since(conn: Connection, parked_after: datetime, limit: int) -> list[Linked]:
    """References parked after `parked_after` whose person is known by them now."""
    rows = await conn.fetch("""
        SELECT DISTINCT s.sbank_customer_ref, p.person_id
        FROM sbank_parked s JOIN persons p ON p.sbank_customer_ref = s.sbank_customer_ref
        WHERE s.parked_at > $1 AND p.erased_at IS NULL
        ORDER BY s.sbank_customer_ref LIMIT $2""", parked_after, limit)
    return [Linked(r["sbank_customer_ref"], r["person_id"]) for r in rows]
