"""Reaction: when a card's state arrives, keep its allocation history and resolve receipts that waited."""
from __future__ import annotations

from contracts.events.cards import CardState
from services.purchases.adapters import receipts
from services.purchases.application.accepted import accepted_event
from shared import outbox
from shared.delivery import Incoming


def periods(state: CardState) -> list[tuple]:
    return [(p.valid_from, p.valid_to, p.person_id, p.household_id, p.cooperative_id, p.usable)
            for p in state.history]


async def when_card_changes_resolve_waiting_receipts(conn, messages: list[Incoming]) -> None:
    events = []
    for message in messages:  # in partition order: a later state of the same card wins
        state: CardState = message.data
        await receipts.replace_allocations(conn, state.card_token, periods(state))
        events += [accepted_event(row, message.envelope)
                   for row in await receipts.resolve_waiting(conn, state.card_token)]
    await outbox.add(conn, events)
