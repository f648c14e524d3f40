"""Reaction: when cards' states arrive, keep their allocation histories and resolve receipts that waited.
A tombstone (the card's holder was erased) removes what was kept of the card, and the receipts that wait for
it or come for it later are dropped (`erased_cards`)."""
from __future__ import annotations

from typing import cast

from contracts.events.cards import CardState
from services.purchases.adapters import erased_cards, receipts
from services.purchases.adapters.receipts import Allocation
from services.purchases.application.accepted import resolve_and_publish
from shared.db import Connection
from shared.delivery import Incoming, tombstone_key


def periods(state: CardState) -> list[Allocation]:
    return [Allocation(p.valid_from, p.valid_to, p.person_id, p.household_id, p.cooperative_id, p.usable)
            for p in state.history]


def _state(message: Incoming) -> CardState | None:
    """The card's state, as the delivery validated it against the topic's model; None: a tombstone."""
    return cast(CardState | None, message.data)


def card_token(message: Incoming) -> str:
    state = _state(message)
    return state.card_token if state is not None else tombstone_key(message)


async def when_card_changes_resolve_waiting_receipts(conn: Connection, messages: list[Incoming]) -> None:
    # In partition order a later state of the same card replaces an earlier one: each carries the whole
    # history, so only the last state of each card in the batch matters.
    latest: dict[str, Incoming] = {card_token(m): m for m in messages}
    live = {token: m for token, m in latest.items() if m.data is not None}
    await receipts.lock_identifiers_for_card_changes(conn, list(latest))
    await receipts.replace_many_allocations(conn, {token: periods(state) if (state := _state(m)) is not None
                                                   else [] for token, m in latest.items()})
    if erased := sorted(token for token, m in latest.items() if m.data is None):
        await erased_cards.mark(conn, erased)
    if live:
        await erased_cards.unmark(conn, sorted(live))
        await resolve_and_publish(conn, list(live), {token: m.envelope for token, m in live.items()})
