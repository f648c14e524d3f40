"""The cards service's part of erasure: when a person is erased, their cards, the cards' event history and
their identifiers go, and each of their cards gets a tombstone on `cards.card.v1` in the same transaction
(through the outbox), so the compacted topic — kept for ever — no longer holds the card's state and
allocation history: compaction removes the earlier values within a day (`contracts.topics`). Cards have
no period of their own: they are kept while the customer relationship lasts (seed §11 erases them with the
relationship). Takes a connection to this service's schema, whoever calls it; idempotent (a person
already erased has no cards left to tombstone)."""
from __future__ import annotations

import uuid

from contracts.envelope import NAMESPACE, Envelope
from contracts.topics import CARD_STATE
from services.cards.adapters import retention
from services.cards.application.publish import SOURCE
from shared import outbox
from shared.db import Connection


def card_erased(card_token: str) -> outbox.OutgoingEvent:
    """The tombstone of an erased card; its id is derived from the card, so a re-sent one is recognised."""
    envelope = Envelope(source=SOURCE, type=CARD_STATE.event_type, subject=card_token,
                        id=str(uuid.uuid5(NAMESPACE, f"card:{card_token}:erased")))
    return outbox.OutgoingEvent(CARD_STATE.name, card_token, envelope, None)


async def erase_person(conn: Connection, person_id: str) -> dict[str, int]:
    erased = await retention.of_person(conn, person_id)
    await outbox.add(conn, [card_erased(token) for token in erased.card_tokens])
    return {"rows": erased.rows, "cards_tombstoned": len(erased.card_tokens)}
