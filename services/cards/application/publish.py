"""The card's state event (compacted by card token), built from its whole event history."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.cards import AllocationPeriod, CardState
from contracts.topics import CARD_STATE
from services.cards.domain.allocation import periods_from_events
from services.cards.domain.card import Card
from shared.outbox import OutgoingEvent

SOURCE = "coopreg/cards"


def card_state_event(card: Card, history: list, cause: Envelope) -> OutgoingEvent:
    periods = [AllocationPeriod(person_id=p.person_id, household_id=p.household_id,
                                cooperative_id=p.cooperative_id, valid_from=p.valid_from, valid_to=p.valid_to,
                                usable=p.card_was_usable)
               for p in periods_from_events(history)]
    state = CardState(card_token=card.card_token, last_four=card.last_four, card_type=str(card.card_type),
                      status=str(card.status), history=periods)
    envelope = cause.follow(source=SOURCE, type=CARD_STATE.event_type, subject=card.card_token,
                            cooperative=card.cooperative_id)
    return OutgoingEvent(CARD_STATE.name, card.card_token, envelope, state)
