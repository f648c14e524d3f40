"""Which person, household and cooperative a card identifier belonged to at a time, and its state then.

The history is a list of half-open periods [valid_from, valid_to) built from the card's own events,
so a purchase made at time T is allocated by the facts as they stood at T, never by later changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.cards.domain.card_events import (
    CardAllocationChanged,
    CardBlocked,
    CardBlockLifted,
    CardEvent,
    CardExpired,
    CardIssued,
    CardReplaced,
    CardStatus,
)
from services.cards.domain.card_terms import check_aware


@dataclass(frozen=True)
class AllocationPeriod:
    card_token: str
    person_id: str
    household_id: str | None
    cooperative_id: str
    valid_from: datetime
    valid_to: datetime | None
    status: CardStatus

    @property
    def card_was_usable(self) -> bool:
        return self.status is CardStatus.ACTIVE

    def covers(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)


def resolve(periods: Iterable[AllocationPeriod], at: datetime) -> AllocationPeriod | None:
    """The period of one card identifier that covers `at`, or None before the card was issued."""
    check_aware(at)
    covering = [period for period in periods if period.covers(at)]
    if len(covering) > 1:
        raise ValueError("allocation periods overlap")
    return covering[0] if covering else None


def _status_after(event: CardEvent, status: CardStatus) -> CardStatus:
    if isinstance(event, CardBlocked):
        return CardStatus.BLOCKED if event.permanent else CardStatus.TEMPORARILY_BLOCKED
    if isinstance(event, CardBlockLifted):
        return CardStatus.ACTIVE
    if isinstance(event, CardReplaced):
        return CardStatus.REPLACED
    if isinstance(event, CardExpired):
        return CardStatus.EXPIRED
    return status


def _next_period(current: AllocationPeriod, event: CardEvent) -> AllocationPeriod:
    following = replace(current, valid_from=event.at, status=_status_after(event, current.status))
    if isinstance(event, CardAllocationChanged):
        following = replace(
            following, household_id=event.household_id, cooperative_id=event.cooperative_id
        )
    return following


def _first_period(event: CardIssued) -> AllocationPeriod:
    return AllocationPeriod(
        event.card_token, event.person_id, event.household_id, event.cooperative_id,
        event.valid_from, None, CardStatus.ACTIVE,
    )


def _card_history(events: Sequence[CardEvent]) -> list[AllocationPeriod]:
    if not isinstance(events[0], CardIssued):
        raise ValueError("a card history starts with CardIssued")
    periods = [_first_period(events[0])]
    for event in events[1:]:
        current = periods.pop()
        if current.valid_from < event.at:  # drop periods of zero length
            periods.append(replace(current, valid_to=event.at))
        periods.append(_next_period(current, event))
    return periods


def periods_from_events(events: Iterable[CardEvent]) -> list[AllocationPeriod]:
    """The allocation history of every card in `events`, each card's events in recorded order."""
    by_card: dict[str, list[CardEvent]] = {}
    for event in events:
        by_card.setdefault(event.card_token, []).append(event)
    return [period for card_events in by_card.values() for period in _card_history(card_events)]
