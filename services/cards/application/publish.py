"""The card's state event (compacted by card token), built from its whole event history."""
from __future__ import annotations

from typing import cast

from contracts.envelope import Envelope
from contracts.events import cards as contract
from contracts.events.cards import AllocationPeriod, CardState
from contracts.topics import CARD_STATE
from services.cards.adapters import cards
from services.cards.domain.allocation import periods_from_events
from services.cards.domain.card import Card
from shared import outbox
from shared.db import Connection
from shared.outbox import OutgoingEvent

SOURCE = "coopreg/cards"


def card_state(card: Card, history: list) -> CardState:
    periods = [AllocationPeriod(person_id=p.person_id, household_id=p.household_id,
                                cooperative_id=p.cooperative_id, valid_from=p.valid_from, valid_to=p.valid_to,
                                usable=p.card_was_usable)
               for p in periods_from_events(history)]
    # The domain's enums have the contract's values (tests/unit/cards/test_card_state.py holds them together),
    # and pydantic checks each value again as the event is built.
    return CardState(card_token=card.card_token, last_four=card.last_four,
                     card_type=cast(contract.CardType, str(card.card_type)),
                     status=cast(contract.CardStatus, str(card.status)), history=periods, valid_until=card.valid_until,
                     block_reason=(cast(contract.BlockReason, str(card.block_reason))
                                   if card.block_reason is not None else None),
                     parent_card_token=card.parent_card_token, replaces=card.replaces, replaced_by=card.replaced_by)


def card_state_event(card: Card, history: list, cause: Envelope | None) -> OutgoingEvent:
    """`cause` is the command that changed the card; None when the scheduled sweep did."""
    kind, token, cooperative = CARD_STATE.event_type, card.card_token, card.cooperative_id
    envelope = (cause.follow(source=SOURCE, type=kind, subject=token, cooperative=cooperative) if cause
                else Envelope(source=SOURCE, type=kind, subject=token, cooperative=cooperative))
    return OutgoingEvent(CARD_STATE.name, card.card_token, envelope, card_state(card, history))


async def save_and_publish(conn: Connection, changed: list[Card], cause: Envelope | None) -> None:
    """Save every changed card and write its state event to the outbox, in the caller's transaction."""
    events = []
    for card in changed:
        await cards.save(conn, card)
        events.append(card_state_event(card, await cards.history(conn, card.card_token), cause))
    await outbox.add(conn, events)
