"""PostgreSQL repository of a person's identifiers besides cards: member number, S-code, customer code.

Only keyed tokens and the customer code's salted hash reach this table."""
from __future__ import annotations

from datetime import datetime

from shared.db import Connection


async def member_number_of(conn: Connection, person_id: str) -> str | None:
    return await conn.fetchval(
        "SELECT member_number_token FROM person_identifiers WHERE person_id = $1 FOR UPDATE", person_id)


async def person_with_s_code(conn: Connection, s_code_token: str) -> str | None:
    return await conn.fetchval("SELECT person_id FROM person_identifiers WHERE s_code_token = $1", s_code_token)


async def save_member_number(conn: Connection, person_id: str, token: str, at: datetime) -> None:
    await conn.execute("""
        INSERT INTO person_identifiers (person_id, member_number_token, member_number_set_at) VALUES ($1, $2, $3)
        ON CONFLICT (person_id) DO UPDATE SET member_number_token = excluded.member_number_token,
            member_number_set_at = excluded.member_number_set_at, updated_at = now()""", person_id, token, at)


async def save_s_code(conn: Connection, person_id: str, token: str, at: datetime) -> None:
    await conn.execute("""
        INSERT INTO person_identifiers (person_id, s_code_token, s_code_set_at) VALUES ($1, $2, $3)
        ON CONFLICT (person_id) DO UPDATE SET s_code_token = excluded.s_code_token,
            s_code_set_at = excluded.s_code_set_at, updated_at = now()""", person_id, token, at)


async def save_customer_code(conn: Connection, person_id: str, code_hash: str, at: datetime) -> None:
    await conn.execute("""
        INSERT INTO person_identifiers (person_id, customer_code_hash, customer_code_set_at) VALUES ($1, $2, $3)
        ON CONFLICT (person_id) DO UPDATE SET customer_code_hash = excluded.customer_code_hash,
            customer_code_set_at = excluded.customer_code_set_at, updated_at = now()""", person_id, code_hash, at)
