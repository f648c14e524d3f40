"""Replacement links, member numbers, lift deadlines and the time-driven sweep of a single card."""
from datetime import datetime, timedelta

import pytest

from services.cards.domain.card import (
    HELSINKI,
    BlockReason,
    Card,
    CardBlocked,
    CardExpired,
    CardIssued,
    CardStatus,
    CardType,
)
from services.cards.domain.errors import CardRuleViolation
from services.cards.domain.s_code import s_code_key

pytestmark = pytest.mark.unit

ISSUED = datetime(2024, 3, 15, 10, 0, tzinfo=HELSINKI)
LATER = ISSUED + timedelta(days=10)
LIFT_DEADLINE = datetime(2024, 6, 25, 10, 0, tzinfo=HELSINKI)  # three months after LATER


def a_card(card_type=CardType.VISA_DEBIT, token="tok-1", household_id="hh-1") -> Card:
    return Card.issue(card_token=token, last_four="1111", card_type=card_type, person_id="p-1",
                      household_id=household_id, cooperative_id="hok-elanto", membership_id="m-1", at=ISSUED)


def a_member_number(household_id="hh-1") -> Card:
    return Card.register_member_number(card_token="member-1", last_four="0042", person_id="p-1",
                                       household_id=household_id, cooperative_id="hok-elanto",
                                       membership_id="m-1", at=ISSUED)


def raises_code(code: str, action) -> None:
    with pytest.raises(CardRuleViolation) as raised:
        action()
    assert raised.value.code == code


# -- replacement -----------------------------------------------------------------------------------


def test_a_replacement_is_issued_to_the_same_person_and_household_and_linked_both_ways():
    old = a_card(CardType.VISA_CREDIT)
    old.block(BlockReason.LOST, LATER)
    new = old.issue_replacement(card_token="tok-2", last_four="2222", at=LATER + timedelta(hours=1))
    assert (old.status, old.replaced_by, new.replaces) == (CardStatus.REPLACED, "tok-2", "tok-1")
    assert (new.card_type, new.person_id, new.household_id, new.status) == (
        CardType.VISA_CREDIT, "p-1", "hh-1", CardStatus.ACTIVE)
    [issued] = new.events
    assert isinstance(issued, CardIssued) and issued.replaces == "tok-1"


def test_a_replacement_can_be_of_another_type_and_gets_a_validity_of_its_own():
    old = a_card(CardType.CASH_CARD)
    new = old.issue_replacement(card_token="tok-2", last_four="2222", at=LATER, card_type=CardType.VISA_DEBIT)
    assert new.card_type is CardType.VISA_DEBIT and new.valid_until == datetime(2027, 4, 1, tzinfo=HELSINKI)


def test_a_failed_replacement_leaves_the_old_card_untouched():
    old = a_card()
    old.block(BlockReason.TEMPORARY_BY_OWNER, LATER)
    raises_code("card_closed_without_replacement",
                lambda: old.issue_replacement(card_token="tok-2", last_four="2222", at=LIFT_DEADLINE))
    assert old.status is CardStatus.TEMPORARILY_BLOCKED and len(old.events) == 2


def test_a_digital_token_is_not_replaced_but_issued_again_for_its_card():
    parent = a_card()
    token = Card.issue_digital_token(parent, card_token="wallet-1", last_four="9876", at=LATER)
    raises_code("parent_card_required",
                lambda: token.issue_replacement(card_token="wallet-2", last_four="9877", at=LATER))


# -- member number ---------------------------------------------------------------------------------


def test_the_member_number_is_open_ended_and_has_no_payment_features():
    number = a_member_number()
    assert (number.card_type, number.valid_until, number.has_payment_features) == (
        CardType.MEMBER_NUMBER, None, False)


def test_a_member_number_is_registered_not_issued_and_carries_no_digital_token():
    raises_code("not_a_card", lambda: a_card(CardType.MEMBER_NUMBER))
    raises_code("parent_card_not_usable",
                lambda: Card.issue_digital_token(a_member_number(), card_token="w", last_four="1", at=LATER))


def test_the_member_number_stays_the_persons_when_they_leave_the_household():
    number = a_member_number()
    number.block(BlockReason.HOLDER_LEFT_HOUSEHOLD, LATER)
    assert (number.status, number.household_id) == (CardStatus.ACTIVE, None)


# -- lift deadline and validity ------------------------------------------------------------------------


def test_a_temporary_block_records_its_lift_deadline():
    card = a_card()
    card.block(BlockReason.TEMPORARY_BY_OWNER, LATER)
    assert card.events[-1] == CardBlocked("tok-1", BlockReason.TEMPORARY_BY_OWNER, False, LATER, LIFT_DEADLINE)


def test_a_digital_token_is_not_issued_for_a_card_past_its_validity():
    parent = a_card()
    raises_code("parent_card_not_usable",
                lambda: Card.issue_digital_token(parent, card_token="w", last_four="1", at=parent.valid_until))


DEADLINES = [
    # (blocked temporarily?, now, status after, events added)
    (False, LATER, CardStatus.ACTIVE, 0),
    (True, LIFT_DEADLINE - timedelta(seconds=1), CardStatus.TEMPORARILY_BLOCKED, 0),
    (True, LIFT_DEADLINE, CardStatus.BLOCKED, 1),
    (False, datetime(2027, 4, 1, tzinfo=HELSINKI), CardStatus.EXPIRED, 1),
    (True, datetime(2030, 1, 1, tzinfo=HELSINKI), CardStatus.EXPIRED, 2),
]


@pytest.mark.parametrize(("temporarily_blocked", "now", "status", "added"), DEADLINES)
def test_deadlines_passed_by_now_close_blocks_and_expire_cards(temporarily_blocked, now, status, added):
    card = a_card()
    if temporarily_blocked:
        card.block(BlockReason.TEMPORARY_BY_OWNER, LATER)
    before = len(card.events)
    card.apply_deadlines(now)
    assert card.status is status and len(card.events) - before == added


def test_applying_the_deadlines_again_changes_nothing():
    card = a_card()
    card.block(BlockReason.TEMPORARY_BY_OWNER, LATER)
    card.apply_deadlines(datetime(2030, 1, 1, tzinfo=HELSINKI))
    events = list(card.events)
    card.apply_deadlines(datetime(2031, 1, 1, tzinfo=HELSINKI))
    assert card.events == events and events[-1] == CardExpired("tok-1", datetime(2027, 4, 1, tzinfo=HELSINKI))


def test_a_replaced_card_past_its_validity_stays_replaced():
    card = a_card()
    card.issue_replacement(card_token="tok-2", last_four="2222", at=LATER)
    card.apply_deadlines(datetime(2030, 1, 1, tzinfo=HELSINKI))
    assert card.status is CardStatus.REPLACED


# -- S-code ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "key"), [
    ("Maija.Meikalainen@Example.fi", "maija.meikalainen@example.fi"), ("  mmeik  ", "mmeik"), ("ÅSA99", "åsa99"),
])
def test_s_codes_compare_without_case_or_surrounding_spaces(given, key):
    assert s_code_key(given) == key


@pytest.mark.parametrize("given", ["ab", "two words", "x" * 255, "   "])
def test_an_s_code_is_one_word_of_three_to_254_characters(given):
    raises_code("invalid_s_code", lambda: s_code_key(given))
