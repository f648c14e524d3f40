from datetime import datetime, timedelta

import pytest

from services.cards.domain.allocation import AllocationPeriod, periods_from_events, resolve
from services.cards.domain.card import HELSINKI, BlockReason, Card, CardBlocked, CardStatus, CardType
from services.cards.domain.errors import CardRuleViolation

pytestmark = pytest.mark.unit

ISSUED = datetime(2024, 1, 10, 9, 0, tzinfo=HELSINKI)
MOVED = datetime(2024, 6, 1, 12, 0, tzinfo=HELSINKI)


def a_card(card_token="tok-1", card_type=CardType.VISA_DEBIT, household_id="hh-A") -> Card:
    return Card.issue(
        card_token=card_token, last_four="1111", card_type=card_type, person_id="p-1",
        household_id=household_id, cooperative_id="hok-elanto", membership_id="m-1", at=ISSUED,
    )


def card_that_moved_household() -> Card:
    card = a_card()
    card.reallocate_household("hh-B", MOVED, cooperative_id="hok-pirkka")
    return card


def test_nothing_is_allocated_before_the_card_was_issued():
    periods = periods_from_events(a_card().events)
    assert resolve(periods, ISSUED - timedelta(seconds=1)) is None


def test_purchase_before_the_move_belongs_to_the_old_household():
    periods = periods_from_events(card_that_moved_household().events)
    period = resolve(periods, datetime(2024, 3, 3, 15, 0, tzinfo=HELSINKI))
    assert (period.person_id, period.household_id, period.cooperative_id) == ("p-1", "hh-A", "hok-elanto")
    assert period.card_was_usable


def test_household_change_splits_the_history_at_the_moment_of_acceptance():
    periods = periods_from_events(card_that_moved_household().events)
    assert resolve(periods, MOVED - timedelta(microseconds=1)).household_id == "hh-A"
    after = resolve(periods, MOVED)  # half-open: the new period starts at the change
    assert (after.household_id, after.cooperative_id, after.valid_to) == ("hh-B", "hok-pirkka", None)


def test_history_is_a_chain_of_adjacent_half_open_periods():
    periods = periods_from_events(card_that_moved_household().events)
    assert [(p.valid_from, p.valid_to) for p in periods] == [(ISSUED, MOVED), (MOVED, None)]


def test_temporarily_blocked_card_was_not_usable_while_blocked():
    card = a_card()
    card.block(BlockReason.TEMPORARY_BY_OWNER, ISSUED + timedelta(days=5))
    card.lift_block(ISSUED + timedelta(days=7))
    periods = periods_from_events(card.events)
    assert not resolve(periods, ISSUED + timedelta(days=6)).card_was_usable
    assert resolve(periods, ISSUED + timedelta(days=8)).status is CardStatus.ACTIVE


def test_after_a_permanent_block_the_card_still_names_its_holder_but_is_not_valid():
    card = a_card()
    card.block(BlockReason.STOLEN, MOVED)
    period = resolve(periods_from_events(card.events), MOVED + timedelta(days=400))
    assert (period.person_id, period.household_id, period.status) == ("p-1", "hh-A", CardStatus.BLOCKED)


def test_replaced_card_hands_over_to_its_replacement():
    old = a_card("tok-old")
    new = Card.issue(card_token="tok-new", last_four="2222", card_type=CardType.VISA_DEBIT, person_id="p-1",
                     household_id="hh-A", cooperative_id="hok-elanto", membership_id="m-1", at=MOVED)
    old.replace(new, MOVED)
    periods = periods_from_events([*old.events, *new.events])
    old_periods = [p for p in periods if p.card_token == "tok-old"]
    new_periods = [p for p in periods if p.card_token == "tok-new"]
    assert resolve(old_periods, MOVED).status is CardStatus.REPLACED
    assert resolve(new_periods, MOVED).card_was_usable


def test_cash_card_of_a_holder_who_left_is_allocated_to_no_household():
    card = a_card(card_type=CardType.CASH_CARD)
    card.block(BlockReason.HOLDER_LEFT_HOUSEHOLD, MOVED)
    period = resolve(periods_from_events(card.events), MOVED)
    assert period.household_id is None and period.card_was_usable


def test_payment_card_is_expired_from_its_valid_until_time():
    card = a_card()
    card.expire(card.valid_until)
    periods = periods_from_events(card.events)
    assert resolve(periods, card.valid_until).status is CardStatus.EXPIRED
    assert resolve(periods, card.valid_until - timedelta(seconds=1)).card_was_usable


def test_a_change_at_the_moment_of_issue_leaves_no_empty_period():
    card = a_card()
    card.reallocate_household("hh-B", ISSUED)
    assert [p.household_id for p in periods_from_events(card.events)] == ["hh-B"]


def test_history_must_start_with_the_issue():
    stray = CardBlocked("tok-1", BlockReason.LOST, True, MOVED)
    with pytest.raises(ValueError):
        periods_from_events([stray])


def test_overlapping_periods_are_reported_not_guessed():
    period = AllocationPeriod("tok-1", "p-1", "hh-A", "hok-elanto", ISSUED, None, CardStatus.ACTIVE)
    with pytest.raises(ValueError):
        resolve([period, period], MOVED)


def test_resolving_needs_a_timezone_aware_time():
    with pytest.raises(CardRuleViolation) as raised:
        resolve([], datetime(2024, 3, 3, 15, 0))
    assert raised.value.code == "time_not_timezone_aware"
