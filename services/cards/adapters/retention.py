"""Erasure in the cards schema: one person's cards, their event history and identifiers."""
from __future__ import annotations

import asyncpg


async def of_person(conn: asyncpg.Connection, person_id: str) -> int:
    tokens = [r["card_token"] for r in await conn.fetch(
        "SELECT card_token FROM cards WHERE person_id = $1 FOR UPDATE", person_id)]
    identifiers = await conn.execute("DELETE FROM person_identifiers WHERE person_id = $1", person_id)
    events = await conn.execute("DELETE FROM card_events WHERE card_token = ANY($1::text[])", tokens)
    cards = await conn.execute("DELETE FROM cards WHERE card_token = ANY($1::text[])", tokens)
    return sum(int(status.split()[-1]) for status in (identifiers, events, cards))
