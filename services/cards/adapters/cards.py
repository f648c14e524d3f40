"""PostgreSQL repository of cards: each card's event history (the source of truth, replayed to load it)
and a row of its current state (for lookups by person and for the scheduled sweep)."""
from __future__ import annotations

from datetime import datetime
from itertools import groupby

from services.cards.adapters import event_codec
from services.cards.domain.card import Card
from services.cards.domain.rebuild import card_from_events
from shared.db import Connection

UPSERT = """
INSERT INTO cards (card_token, last_four, card_type, status, person_id, household_id, cooperative_id,
                   membership_id, valid_from, valid_until, block_reason, block_lapses_at, parent_card_token,
                   replaces, replaced_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (card_token) DO UPDATE SET status = excluded.status, person_id = excluded.person_id,
    household_id = excluded.household_id, cooperative_id = excluded.cooperative_id,
    membership_id = excluded.membership_id, valid_until = excluded.valid_until,
    block_reason = excluded.block_reason, block_lapses_at = excluded.block_lapses_at,
    replaces = excluded.replaces, replaced_by = excluded.replaced_by, updated_at = now()"""

DUE_FOR_SWEEP = """
SELECT card_token FROM cards
WHERE (status = 'temporarily_blocked' AND block_lapses_at <= $1)
   OR (valid_until <= $1 AND status NOT IN ('expired', 'replaced'))
ORDER BY card_token LIMIT $2
FOR UPDATE SKIP LOCKED"""


async def exists(conn: Connection, card_token: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM cards WHERE card_token = $1)", card_token)


async def save(conn: Connection, card: Card) -> None:
    """Upsert the card's current state and append the events it recorded since it was loaded."""
    await conn.execute(
        UPSERT, card.card_token, card.last_four, str(card.card_type), str(card.status), card.person_id,
        card.household_id, card.cooperative_id, card.membership_id, card.valid_from, card.valid_until,
        card.block_reason and str(card.block_reason), card.block_lapses_at, card.parent_card_token,
        card.replaces, card.replaced_by)
    start = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM card_events WHERE card_token = $1",
                                card.card_token)
    await conn.executemany(
        "INSERT INTO card_events (card_token, seq, kind, at, data) VALUES ($1, $2, $3, $4, $5)",
        [(card.card_token, start + i, *event_codec.encode(event)) for i, event in enumerate(card.events, 1)])
    card.events.clear()


async def history(conn: Connection, card_token: str) -> list:
    rows = await conn.fetch("SELECT kind, data FROM card_events WHERE card_token = $1 ORDER BY seq", card_token)
    return [event_codec.decode(r["kind"], r["data"]) for r in rows]


async def load(conn: Connection, card_token: str) -> Card | None:
    """The card replayed from its history, locked until the transaction ends; None if unknown."""
    if await conn.fetchval("SELECT 1 FROM cards WHERE card_token = $1 FOR UPDATE", card_token) is None:
        return None
    return card_from_events(await history(conn, card_token))


async def _load_many(conn: Connection, card_tokens: list[str]) -> list[Card]:
    rows = await conn.fetch("SELECT card_token, kind, data FROM card_events WHERE card_token = ANY($1)"
                            " ORDER BY card_token, seq", card_tokens)
    return [card_from_events([event_codec.decode(r["kind"], r["data"]) for r in card_rows])
            for _, card_rows in groupby(rows, key=lambda r: r["card_token"])]


async def of_person(conn: Connection, person_id: str) -> list[Card]:
    """Every card and identifier of the person, replayed and locked, in card token order."""
    tokens = [r["card_token"] for r in await conn.fetch(
        "SELECT card_token FROM cards WHERE person_id = $1 ORDER BY card_token FOR UPDATE", person_id)]
    return await _load_many(conn, tokens)


async def lock_people(conn: Connection, person_ids: list[str]) -> None:
    """Lock every card of the people at once, in card token order: a batch that then locks them person by
    person, in its own order, re-enters locks it holds instead of meeting another batch's in the opposite
    order (a person moving between households is in two households' states, on two partitions)."""
    await conn.execute("SELECT FROM cards WHERE person_id = ANY($1) ORDER BY card_token FOR UPDATE", person_ids)


async def due_for_sweep(conn: Connection, now: datetime, limit: int) -> list[Card]:
    """Cards whose temporary block lapsed or whose validity ended by `now`, locked (others skip them)."""
    tokens = [r["card_token"] for r in await conn.fetch(DUE_FOR_SWEEP, now, limit)]
    return await _load_many(conn, tokens)


async def person_is_known(conn: Connection, person_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM cards WHERE person_id = $1)", person_id)
