"""A web-store order's current state from its status updates, which may arrive late or twice.

The latest status (by its time) is the order's; an older one only joins the history. The order has ended
once it was delivered, collected, cancelled or returned: the latest of those starts its retention clock.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.digital.domain.errors import DigitalRuleViolation

ENDING = frozenset({"delivered", "collected", "cancelled", "returned"})


@dataclass(frozen=True)
class OrderState:
    store: str
    order_id: str
    person_id: str
    status: str
    status_at: datetime
    placed_at: datetime
    delivery_method: str
    total_cents: int
    ended_at: datetime | None


def check_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise DigitalRuleViolation("time_not_timezone_aware", "order times must be timezone-aware")


def apply_status(current: OrderState | None, update: OrderState) -> OrderState:
    """The order after `update` (a state as the web store sent it, its `ended_at` ignored)."""
    check_aware(update.status_at)
    ended_here = update.status_at if update.status in ENDING else None
    if current is None:
        return replace(update, ended_at=ended_here)
    if current.person_id != update.person_id:
        raise DigitalRuleViolation("order_person_changed", "an order id was sent again for another person")
    ended = max((t for t in (current.ended_at, ended_here) if t is not None), default=None)
    if update.status_at < current.status_at:  # late: history only
        return replace(current, ended_at=ended)
    return replace(update, ended_at=ended)
