"""Read-only queries of a person's cards and identifiers, for the register API's views and extracts."""
from __future__ import annotations

import asyncpg

from shared.db import Connection

CARD_COLUMNS = ("card_token", "last_four", "card_type", "status", "household_id", "cooperative_id", "membership_id",
                "valid_from", "valid_until", "block_reason", "parent_card_token", "replaces", "replaced_by")


async def holder(conn: Connection, card_token: str) -> str | None:
    return await conn.fetchval("SELECT person_id FROM cards WHERE card_token = $1", card_token)


async def cards_of(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(f"SELECT {', '.join(CARD_COLUMNS)} FROM cards WHERE person_id = $1"
                            " ORDER BY valid_from, card_token", person_id)


async def events_of(conn: Connection, card_tokens: list[str]) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT card_token, kind, at, data FROM card_events WHERE card_token = ANY($1::text[])"
                            " ORDER BY card_token, seq", card_tokens)


async def identifiers_of(conn: Connection, person_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT member_number_set_at, s_code_set_at, customer_code_set_at"
                               " FROM person_identifiers WHERE person_id = $1", person_id)
