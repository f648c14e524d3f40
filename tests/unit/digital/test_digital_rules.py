"""The digital service's pure rules: delivery addresses with history, an order's state from status updates
that may come late or twice, and the latest state of a saved cart or an entered value."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.digital.domain.addresses import address_changes
from services.digital.domain.errors import DigitalRuleViolation
from services.digital.domain.latest import supersedes
from services.digital.domain.orders import OrderState, apply_status

pytestmark = pytest.mark.unit
T0 = datetime(2025, 3, 14, 9, 0, tzinfo=timezone.utc)
HOME, CABIN = {"address": {"street": "Kotikatu 1"}}, {"address": {"street": "Mökkitie 9"}}


def test_a_changed_address_is_replaced_and_added_again_a_removed_one_only_replaced():
    changes = address_changes({"home": HOME, "cabin": CABIN}, {"home": {"address": {"street": "Uusikatu 2"}}})
    assert (changes.replaced, changes.added) == (("cabin", "home"), ("home",))


def test_the_same_addresses_again_change_nothing():
    assert address_changes({"home": HOME}, {"home": dict(HOME)}).none
    assert address_changes({}, {"home": HOME}).added == ("home",)


def _state(status: str, at: datetime, person: str = "p-1") -> OrderState:
    return OrderState("s-kaupat", "o-1", person, status, at, T0, "home_delivery", 8790, None)


def test_the_latest_status_is_the_orders_and_a_late_one_does_not_turn_it_back():
    placed = apply_status(None, _state("placed", T0))
    delivered = apply_status(placed, _state("delivered", T0 + timedelta(days=1)))
    late = apply_status(delivered, _state("picking", T0 + timedelta(hours=5)))
    assert (placed.status, placed.ended_at) == ("placed", None)
    assert (late.status, late.ended_at) == ("delivered", T0 + timedelta(days=1))


def test_a_return_after_delivery_moves_the_retention_clock_on():
    delivered = apply_status(None, _state("delivered", T0))
    returned = apply_status(delivered, _state("returned", T0 + timedelta(days=10)))
    assert returned.ended_at == T0 + timedelta(days=10)
    # a delivery arriving late keeps the later end
    assert apply_status(returned, _state("delivered", T0)).ended_at == T0 + timedelta(days=10)


def test_an_order_id_cannot_move_to_another_person_nor_take_a_naive_time():
    with pytest.raises(DigitalRuleViolation) as moved:
        apply_status(apply_status(None, _state("placed", T0)), _state("confirmed", T0, person="p-2"))
    assert moved.value.code == "order_person_changed"
    with pytest.raises(DigitalRuleViolation):
        apply_status(None, _state("placed", T0.replace(tzinfo=None)))


def test_a_later_cart_or_entered_value_wins_and_a_late_or_repeated_one_does_not():
    assert supersedes(None, T0) and supersedes(T0, T0 + timedelta(seconds=1))
    assert not supersedes(T0, T0) and not supersedes(T0, T0 - timedelta(hours=1))
    with pytest.raises(DigitalRuleViolation):
        supersedes(None, T0.replace(tzinfo=None))
