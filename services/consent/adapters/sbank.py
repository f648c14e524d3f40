"""S-Bank's consent statements parked until the register links their reference to a person."""
from __future__ import annotations

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
