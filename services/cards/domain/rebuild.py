"""A card as its recorded events left it: the aggregate is stored as its history and loaded by replay.

Each event is applied as the aggregate's own method recorded it, so a rebuilt card takes exactly the
changes the original would (a property the unit tests check on random histories).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from services.cards.domain.card import Card
from services.cards.domain.card_events import (
    PAYMENT_CARD_TYPES,
    CardAllocationChanged,
    CardBlocked,
    CardBlockLifted,
    CardEvent,
    CardExpired,
    CardIssued,
    CardReplaced,
    CardStatus,
)


def _issued(event: CardIssued) -> Card:
    payment = event.has_payment_features
    if payment is None:  # recorded before the field existed, when only plastic cards were issued
        payment = event.card_type in PAYMENT_CARD_TYPES
    return Card(event.card_token, event.last_four, event.card_type, event.person_id, event.household_id,
                event.cooperative_id, event.membership_id, event.valid_from, event.valid_until, payment,
                parent_card_token=event.parent_card_token, replaces=event.replaces)


def _blocked(card: Card, event: CardBlocked) -> None:
    card.status = CardStatus.BLOCKED if event.permanent else CardStatus.TEMPORARILY_BLOCKED
    card.block_reason, card.blocked_at, card.block_lapses_at = event.reason, event.at, event.lapses_at


def _lifted(card: Card, event: CardBlockLifted) -> None:
    card.status = CardStatus.ACTIVE
    card.block_reason = card.blocked_at = card.block_lapses_at = None


def _replaced(card: Card, event: CardReplaced) -> None:
    card.status, card.replaced_by = CardStatus.REPLACED, event.replaced_by


def _expired(card: Card, event: CardExpired) -> None:
    card.status = CardStatus.EXPIRED


def _reallocated(card: Card, event: CardAllocationChanged) -> None:
    card.household_id, card.cooperative_id = event.household_id, event.cooperative_id
    card.membership_id = event.membership_id


# Each function takes the event type it is keyed by, which a Callable type cannot say: hence Any.
APPLY: dict[type[CardEvent], Callable[[Card, Any], None]] = {
    CardBlocked: _blocked, CardBlockLifted: _lifted, CardReplaced: _replaced, CardExpired: _expired,
    CardAllocationChanged: _reallocated,
}


def card_from_events(events: Sequence[CardEvent]) -> Card:
    """The card its history describes, with no pending events (`card.events` holds only new ones)."""
    if not events or not isinstance(events[0], CardIssued):
        raise ValueError("a card history starts with CardIssued")
    card = _issued(events[0])
    for event in events[1:]:
        APPLY[type(event)](card, event)
        card.last_changed_at = event.at
    return card
