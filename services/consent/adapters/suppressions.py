"""PostgreSQL side of the marketing suppressions kept after an erasure (keyed tokens, never an id in clear)."""
from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.db import Connection


async def keep(conn: Connection, token: str, kind: str, blocks: list[str], stated_at: datetime) -> None:
    """Keep (or widen) the suppression under `token`."""
    await conn.execute("""
        INSERT INTO marketing_suppressions (token, kind, blocks, stated_at) VALUES ($1, $2, $3, $4)
        ON CONFLICT (token) DO UPDATE SET
            blocks = ARRAY(SELECT DISTINCT unnest(marketing_suppressions.blocks || excluded.blocks) ORDER BY 1),
            stated_at = greatest(marketing_suppressions.stated_at, excluded.stated_at)""",
        token, kind, blocks, stated_at)


async def find(conn: Connection, tokens: list[str]) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT blocks, stated_at FROM marketing_suppressions WHERE token = ANY($1)"
                            " ORDER BY stated_at", tokens)


async def keep_erased_sbank_customer(conn: Connection, token: str) -> None:
    await conn.execute("INSERT INTO erased_sbank_customers (token) VALUES ($1) ON CONFLICT DO NOTHING", token)


async def is_erased_sbank_customer(conn: Connection, token: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM erased_sbank_customers WHERE token = $1)", token)


async def forget_erased_sbank_customer(conn: Connection, token: str) -> None:
    await conn.execute("DELETE FROM erased_sbank_customers WHERE token = $1", token)
