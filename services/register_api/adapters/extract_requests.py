"""Tracked register extracts: the request, its deadline, and the sealed document once produced."""
from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.db import Connection, changed

PUBLIC = "request_id, person_id, requested_by, requested_at, deadline, status, completed_at, sha256, sections"


async def insert(conn: Connection, request_id: str, person_id: str, requested_by: str,
                 requested_at: datetime, deadline: datetime) -> None:
    await conn.execute("INSERT INTO extract_requests (request_id, person_id, requested_by, requested_at, deadline,"
                       " status) VALUES ($1, $2, $3, $4, $5, 'requested')",
                       request_id, person_id, requested_by, requested_at, deadline)


async def complete(conn: Connection, request_id: str, document: bytes, sha256: str, sections: list[str],
                   at: datetime) -> None:
    await conn.execute("UPDATE extract_requests SET status = 'ready', completed_at = $2, document = $3,"
                       " sha256 = $4, sections = $5 WHERE request_id = $1", request_id, at, document, sha256, sections)


async def fail(conn: Connection, request_id: str) -> None:
    await conn.execute("UPDATE extract_requests SET status = 'failed' WHERE request_id = $1", request_id)


async def get(conn: Connection, request_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(f"SELECT {PUBLIC} FROM extract_requests WHERE request_id = $1", request_id)


async def document(conn: Connection, request_id: str) -> bytes | None:
    return await conn.fetchval("SELECT document FROM extract_requests WHERE request_id = $1", request_id)


async def forget_documents_of(conn: Connection, person_id: str) -> int:
    return await changed(conn, "UPDATE extract_requests SET document = NULL WHERE person_id = $1"
                               " AND document IS NOT NULL", person_id)
