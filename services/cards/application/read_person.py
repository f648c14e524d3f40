"""The cards service's read endpoints for the register API: whose card a number is, and a person's cards
and identifiers with their event history. Numbers are looked up by keyed token; none is ever stored."""
from __future__ import annotations

import orjson

from services.cards.adapters import person_reads as reads
from shared.db import Connection
from shared.pseudonym import identifier_namespace, keyed_token


async def find_by_card_number(conn: Connection, card_number: str, index_key: str) -> str | None:
    """The current holder of a card (or wallet token, or member number) with this number."""
    for kind in ("card", "member_number"):
        person = await reads.holder(conn, keyed_token(identifier_namespace(kind), card_number, index_key))
        if person is not None:
            return person
    return None


async def cards_part(conn: Connection, person_id: str) -> dict:
    """The person's cards and identifiers, each card with what happened to it."""
    rows = await reads.cards_of(conn, person_id)
    events = await reads.events_of(conn, [r["card_token"] for r in rows])
    cards = [{**dict(r), "events": [{"kind": e["kind"], "at": e["at"], "data": orjson.loads(e["data"])}
                                    for e in events if e["card_token"] == r["card_token"]]} for r in rows]
    ids = await reads.identifiers_of(conn, person_id)
    identifiers = {name: ids[name] if ids else None
                   for name in ("member_number_set_at", "s_code_set_at", "customer_code_set_at")}
    return {"cards": cards, "identifiers": identifiers}
