"""A card replayed from its recorded events is the card that recorded them."""
from dataclasses import fields
from datetime import datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.cards.domain.card import HELSINKI, BlockReason, Card, CardIssued, CardStatus, CardType
from services.cards.domain.errors import CardRuleViolation
from services.cards.domain.rebuild import card_from_events

pytestmark = pytest.mark.unit

ISSUED = datetime(2024, 3, 15, 10, 0, tzinfo=HELSINKI)
REQUESTABLE = [reason for reason in BlockReason if reason is not BlockReason.TEMPORARY_BLOCK_LAPSED]


def state(card: Card) -> dict:
    return {f.name: getattr(card, f.name) for f in fields(card) if f.name != "events"}


def a_card(card_type: CardType, token: str = "tok-1") -> Card:
    return Card.issue(card_token=token, last_four="1234", card_type=card_type, person_id="p-1",
                      household_id="hh-1", cooperative_id="hok-elanto", membership_id="m-1", at=ISSUED)


def apply(card: Card, operation: tuple, at: datetime) -> None:
    """One operation of a random history; a rule it breaks leaves the card as it was."""
    kind, argument = operation
    actions = {
        "block": lambda: card.block(argument, at),
        "lift": lambda: card.lift_block(at),
        "move": lambda: card.reallocate_household(argument, at, cooperative_id=f"coop-{argument}"),
        "replace": lambda: card.issue_replacement(card_token=f"new-{at.timestamp()}", last_four="9999", at=at),
        "deadlines": lambda: card.apply_deadlines(at),
    }
    try:
        actions[kind]()
    except CardRuleViolation:
        pass


OPERATIONS = st.one_of(
    st.tuples(st.just("block"), st.sampled_from(REQUESTABLE)),
    st.tuples(st.just("lift"), st.none()),
    st.tuples(st.just("move"), st.sampled_from(["hh-2", "hh-3", None])),
    st.tuples(st.just("replace"), st.none()),
    st.tuples(st.just("deadlines"), st.none()),
)


@settings(max_examples=300, deadline=None)
@given(card_type=st.sampled_from([CardType.CASH_CARD, CardType.VISA_DEBIT, CardType.VISA_CREDIT]),
       history=st.lists(st.tuples(OPERATIONS, st.integers(min_value=1, max_value=400)), max_size=12))
def test_a_rebuilt_card_has_the_state_its_events_left(card_type, history):
    card, at = a_card(card_type), ISSUED
    for operation, days_later in history:
        at += timedelta(days=days_later)
        apply(card, operation, at)
    rebuilt = card_from_events(card.events)
    assert state(rebuilt) == state(card) and rebuilt.events == []


def test_a_rebuilt_card_takes_the_changes_the_original_would():
    card = a_card(CardType.VISA_DEBIT)
    card.block(BlockReason.TEMPORARY_BY_OWNER, ISSUED + timedelta(days=1))
    rebuilt = card_from_events(card.events)
    lapsed = ISSUED + timedelta(days=200)
    rebuilt.apply_deadlines(lapsed)
    assert (rebuilt.status, rebuilt.block_reason) == (CardStatus.BLOCKED, BlockReason.TEMPORARY_BLOCK_LAPSED)


def test_a_digital_token_keeps_its_parents_payment_features_when_rebuilt():
    parent = a_card(CardType.VISA_CREDIT_DEBIT)
    token = Card.issue_digital_token(parent, card_token="wallet-1", last_four="4321", at=ISSUED)
    assert card_from_events(token.events).has_payment_features is True


def test_histories_recorded_before_payment_features_were_take_them_from_the_type():
    [issued] = a_card(CardType.VISA_DEBIT).events
    old_form = CardIssued(*[getattr(issued, name) for name in (
        "card_token", "last_four", "card_type", "person_id", "household_id", "cooperative_id", "membership_id",
        "valid_from", "valid_until", "parent_card_token")])
    assert card_from_events([old_form]).has_payment_features is True


def test_a_history_starts_with_the_issue():
    card = a_card(CardType.CASH_CARD)
    card.block(BlockReason.LOST, ISSUED + timedelta(days=1))
    with pytest.raises(ValueError):
        card_from_events(card.events[1:])
