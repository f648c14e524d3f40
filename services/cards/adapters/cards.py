"""PostgreSQL repository of cards and their event history."""
from __future__ import annotations

import asyncpg

from services.cards.adapters import event_codec
from services.cards.domain.card import Card


async def exists(conn: asyncpg.Connection, card_token: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM cards WHERE card_token = $1)", card_token)


async def save(conn: asyncpg.Connection, card: Card) -> None:
    """Upsert the card's current state and append the events it recorded since it was loaded."""
    await conn.execute("""
        INSERT INTO cards (card_token, last_four, card_type, status, person_id, household_id, cooperative_id,
                           membership_id, valid_from, valid_until)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (card_token) DO UPDATE SET status = excluded.status, person_id = excluded.person_id,
            household_id = excluded.household_id, cooperative_id = excluded.cooperative_id,
            membership_id = excluded.membership_id, valid_until = excluded.valid_until, updated_at = now()""",
        card.card_token, card.last_four, str(card.card_type), str(card.status), card.person_id,
        card.household_id, card.cooperative_id, card.membership_id, card.valid_from, card.valid_until)
    start = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM card_events WHERE card_token = $1",
                                card.card_token)
    await conn.executemany(
        "INSERT INTO card_events (card_token, seq, kind, at, data) VALUES ($1, $2, $3, $4, $5)",
        [(card.card_token, start + i, *event_codec.encode(event)) for i, event in enumerate(card.events, 1)])
    card.events.clear()


async def history(conn: asyncpg.Connection, card_token: str) -> list:
    rows = await conn.fetch("SELECT kind, data FROM card_events WHERE card_token = $1 ORDER BY seq", card_token)
    return [event_codec.decode(r["kind"], r["data"]) for r in rows]
