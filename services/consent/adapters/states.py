"""The last consent state published per person, so an unchanged state is not published again."""
from __future__ import annotations

import orjson

from shared.db import Connection, one_row


async def published(conn: Connection, person_id: str) -> tuple[int, dict | None]:
    row = await one_row(conn, "SELECT published_version, published_state FROM persons WHERE person_id = $1",
                              person_id)
    return row["published_version"], orjson.loads(row["published_state"]) if row["published_state"] else None


async def mark_published(conn: Connection, person_id: str, version: int, state: dict | None) -> None:
    await conn.execute("UPDATE persons SET published_version = $2, published_state = $3 WHERE person_id = $1",
                       person_id, version, orjson.dumps(state).decode() if state is not None else None)
