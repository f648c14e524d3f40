"""The card's state event (compacted by card token), built from its whole event history."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.cards import AllocationPeriod, CardState
from contracts.topics import CARD_STATE
from services.cards.adapters import cards
from services.cards.domain.allocation import periods_from_events
from services.cards.domain.card import Card
from shared import outbox
from shared.outbox import OutgoingEvent

SOURCE = "coopreg/cards"


def card_state(card: Card, history: list) -> CardState:
    periods = [AllocationPeriod(person_id=p.person_id, household_id=p.household_id,
                                cooperative_id=p.cooperative_id, valid_from=p.valid_from, valid_to=p.valid_to,
                                usable=p.card_was_usable)
               for p in periods_from_events(history)]
    return CardState(card_token=card.card_token, last_four=card.last_four, card_type=str(card.card_type),
                     status=str(card.status), history=periods, valid_until=card.valid_until,
                     block_reason=card.block_reason and str(card.block_reason),
                     parent_card_token=card.parent_card_token, replaces=card.replaces, replaced_by=card.replaced_by)


def card_state_event(card: Card, history: list, cause: Envelope | None) -> OutgoingEvent:
    """`cause` is the command that changed the card; None when the scheduled sweep did."""
    kind = dict(source=SOURCE, type=CARD_STATE.event_type, subject=card.card_token, cooperative=card.cooperative_id)
    envelope = cause.follow(**kind) if cause else Envelope(**kind)
    return OutgoingEvent(CARD_STATE.name, card.card_token, envelope, card_state(card, history))


async def save_and_publish(conn, changed: list[Card], cause: Envelope | None) -> None:
    """Save every changed card and write its state event to the outbox, in the caller's transaction."""
    events = []
    for card in changed:
        await cards.save(conn, card)
        events.append(card_state_event(card, await cards.history(conn, card.card_token), cause))
    await outbox.add(conn, events)
