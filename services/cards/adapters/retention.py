"""Erasure in the cards schema: one person's cards, their event history and identifiers."""
from __future__ import annotations

from dataclasses import dataclass

from shared.db import Connection, changed


@dataclass(frozen=True)
class Erased:
    rows: int
    card_tokens: list[str]  # the person's cards (and member number), whose state is to be tombstoned


async def of_person(conn: Connection, person_id: str) -> Erased:
    tokens = [r["card_token"] for r in await conn.fetch(
        "SELECT card_token FROM cards WHERE person_id = $1 ORDER BY card_token FOR UPDATE", person_id)]
    identifiers = await changed(conn, "DELETE FROM person_identifiers WHERE person_id = $1", person_id)
    events = await changed(conn, "DELETE FROM card_events WHERE card_token = ANY($1::text[])", tokens)
    cards = await changed(conn, "DELETE FROM cards WHERE card_token = ANY($1::text[])", tokens)
    return Erased(identifiers + events + cards, tokens)
