"""PostgreSQL repository of persons: found by id, by the identity code's blind index or S-Bank's reference."""
from __future__ import annotations

from datetime import date, datetime

import asyncpg

from shared.db import Connection

FLAG_COLUMNS = {"language": "language", "marketing_prohibition": "marketing_prohibition",
                "non_disclosure": "non_disclosure", "children_birth_years": "children_birth_years"}


async def insert(conn: Connection, *, person_id: str, token: str, erasure_marker: str, encrypted: bytes,
                 birth_date: date, gender: str, language: str, marketing_prohibition: bool,
                 children_birth_years: list[int], sbank_customer_ref: str | None, registered_at: datetime,
                 relationship_start: date) -> bool:
    """Insert a person; False when the id or the identity code is taken. A customer erased under this id comes
    back with it: their erasure mark goes."""
    await conn.execute("DELETE FROM erased_persons WHERE person_id = $1", person_id)
    row = await conn.fetchrow("""
        INSERT INTO persons (person_id, identity_code_token, erasure_marker, identity_code_encrypted, birth_date,
                             gender, language, marketing_prohibition, children_birth_years, sbank_customer_ref,
                             registered_at, relationship_start)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING RETURNING person_id""",
        person_id, token, erasure_marker, encrypted, birth_date, gender, language, marketing_prohibition,
        children_birth_years, sbank_customer_ref, registered_at, relationship_start)
    return row is not None


async def lock(conn: Connection, person_id: str) -> asyncpg.Record | None:
    """The person's row, locked until commit (one change of a person at a time)."""
    return await conn.fetchrow("SELECT * FROM persons WHERE person_id = $1 FOR UPDATE", person_id)


async def by_token(conn: Connection, token: str) -> str | None:
    return await conn.fetchval("SELECT person_id FROM persons WHERE identity_code_token = $1", token)


async def is_erased_subject(conn: Connection, marker: str) -> bool:
    """Whether the erasure marker names a person erased from the register (`erased_subjects`)."""
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM erased_subjects WHERE marker = $1)", marker)


async def forget_erasure(conn: Connection, marker: str) -> None:
    """The person registered again themselves: they are no longer an erased subject."""
    await conn.execute("DELETE FROM erased_subjects WHERE marker = $1", marker)


async def by_sbank_ref(conn: Connection, ref: str) -> str | None:
    return await conn.fetchval("SELECT person_id FROM persons WHERE sbank_customer_ref = $1", ref)


async def link_sbank_ref(conn: Connection, person_id: str, ref: str) -> None:
    await conn.execute("UPDATE persons SET sbank_customer_ref = $2 WHERE person_id = $1", person_id, ref)


async def set_flag(conn: Connection, person_id: str, group: str, value) -> None:
    column = FLAG_COLUMNS[group]
    await conn.execute(f"UPDATE persons SET {column} = $2 WHERE person_id = $1", person_id, value)


async def mark_deceased(conn: Connection, person_id: str, died_on: date) -> None:
    await conn.execute(
        "UPDATE persons SET deceased_on = $2, relationship_valid_until = $2, marketing_prohibition = true"
        " WHERE person_id = $1", person_id, died_on)


async def count_ignored(conn: Connection, source: str, reason: str, count: int = 1) -> None:
    await conn.execute(
        "INSERT INTO ignored_updates (source, reason, count) VALUES ($1, $2, $3)"
        " ON CONFLICT (source, reason) DO UPDATE SET count = ignored_updates.count + excluded.count",
        source, reason, count)


async def ignored(conn: Connection, source: str, reason: str) -> int:
    return await conn.fetchval("SELECT coalesce(sum(count), 0) FROM ignored_updates WHERE source = $1"
                               " AND reason = $2", source, reason)
