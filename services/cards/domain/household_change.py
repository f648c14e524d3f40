"""A person's move between households, applied to all their cards and identifiers.

The person accepted the new main member's invitation (or left and joined none) at a moment; from that
moment on, never earlier, the Bonus purchases of every card still in use go to the new household.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.cards.domain.card import BlockReason, Card, CardStatus


@dataclass(frozen=True)
class HouseholdChange:
    household_id: str | None  # None: the person left and is in no household
    at: datetime
    cooperative_id: str | None = None  # None: unchanged
    membership_id: str | None = None  # None: unchanged


def card_follows_its_holder(card: Card, at: datetime) -> bool:
    """A replaced, expired or permanently blocked card belongs to no household any more."""
    if card.status in (CardStatus.REPLACED, CardStatus.EXPIRED):
        return False
    if card.valid_until is not None and at >= card.valid_until:
        return False
    return not card.is_permanently_blocked(at)


def _already_allocated(card: Card, change: HouseholdChange) -> bool:
    return (card.household_id == change.household_id
            and (change.cooperative_id or card.cooperative_id) == card.cooperative_id
            and (change.membership_id or card.membership_id) == card.membership_id)


def move_cards(cards: Iterable[Card], change: HouseholdChange) -> list[Card]:
    """Move every card in use to the new household from the change on; return the cards that changed.

    Leaving every household ends a payment card's payment features (it is blocked); a cash card, a
    digital token of one and the member number stay the person's, outside any household. Joining a
    household again resumes a payment card blocked only for that leaving (`Card.rejoin_household`).
    """
    moved = []
    for card in cards:
        if change.household_id is not None and card.blocked_for_leaving(change.at):
            card.rejoin_household(change.household_id, change.at, cooperative_id=change.cooperative_id,
                                  membership_id=change.membership_id)
            moved.append(card)
            continue
        if not card_follows_its_holder(card, change.at) or _already_allocated(card, change):
            continue
        if change.household_id is None:
            card.block(BlockReason.HOLDER_LEFT_HOUSEHOLD, change.at)
        else:
            card.reallocate_household(change.household_id, change.at, cooperative_id=change.cooperative_id,
                                      membership_id=change.membership_id)
        moved.append(card)
    return moved
