"""Tokens revoked at logout: kept until they would have expired anyway, then forgotten."""
from __future__ import annotations

from datetime import datetime

from shared.db import Connection


async def revoke(conn: Connection, token_id: str, expires_at: datetime) -> None:
    await conn.execute("INSERT INTO revoked_tokens (token_id, expires_at) VALUES ($1, $2)"
                       " ON CONFLICT (token_id) DO NOTHING", token_id, expires_at)
    # Housekeeping on the (rare) logout rather than a job of its own: an expired token is refused anyway.
    await conn.execute("DELETE FROM revoked_tokens WHERE expires_at < now()")


async def is_revoked(conn: Connection, token_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE token_id = $1)", token_id)
