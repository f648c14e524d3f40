"""Calling the cards service's command handler on the real PostgreSQL as the delivery pipeline does."""
from __future__ import annotations

import orjson
import pytest

from contracts.events.card_commands import CardCommand
from contracts.topics import CARD_STATE
from services.cards.application.commands import handle_card_commands
from services.cards.application.config import CardsConfig
from shared.delivery import Rejected
from tests.support.factories import incoming


async def send(pool, config: CardsConfig, *commands) -> list[dict]:
    """Apply `commands` as one delivered batch; the card states it published, read before the commit (a
    running outbox relay may take them right after)."""
    async with pool.acquire() as conn, conn.transaction():
        last = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM outbox")
        await handle_card_commands(conn, [incoming(CardCommand(command)) for command in commands], config)
        rows = await conn.fetch("SELECT value FROM outbox WHERE seq > $1 AND topic = $2 ORDER BY seq",
                                last, CARD_STATE.name)
    return [orjson.loads(row["value"]) for row in rows]


async def footprint(pool, person: str) -> tuple:
    """Everything the cards service keeps about a person: their cards, card histories and identifiers."""
    cards = await pool.fetch("SELECT * FROM cards WHERE person_id = $1 ORDER BY card_token", person)
    events = await pool.fetch("SELECT e.* FROM card_events e JOIN cards c USING (card_token)"
                              " WHERE c.person_id = $1 ORDER BY e.card_token, e.seq", person)
    identifiers = await pool.fetch("SELECT * FROM person_identifiers WHERE person_id = $1", person)
    return tuple([tuple(row) for row in rows] for rows in (cards, events, identifiers))


async def rejection(pool, config: CardsConfig, person: str, *commands) -> str:
    """The reason `commands` are rejected for, having checked nothing about `person` changed."""
    before = await footprint(pool, person)
    with pytest.raises(Rejected) as raised:
        await send(pool, config, *commands)
    assert await footprint(pool, person) == before, "a rejected command left changes behind"
    return raised.value.reason


def latest(states: list[dict], card_token: str) -> dict:
    return [state for state in states if state["card_token"] == card_token][-1]


def periods(state: dict) -> list[tuple]:
    """(household, usable) of each period of a published history, in order."""
    return [(period["household_id"], period["usable"]) for period in state["history"]]
