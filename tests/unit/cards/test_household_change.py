"""A person's household change moves every card still in use, from acceptance time, never earlier."""
from datetime import datetime, timedelta

import pytest

from services.cards.domain.allocation import periods_from_events, resolve
from services.cards.domain.card import HELSINKI, BlockReason, Card, CardStatus, CardType
from services.cards.domain.errors import CardRuleViolation
from services.cards.domain.household_change import HouseholdChange, move_cards

pytestmark = pytest.mark.unit

ISSUED = datetime(2024, 3, 15, 10, 0, tzinfo=HELSINKI)
ACCEPTED = datetime(2024, 9, 2, 18, 30, tzinfo=HELSINKI)
TO_HH2 = HouseholdChange("hh-2", ACCEPTED, cooperative_id="hok-pirkka", membership_id="m-2")
LEFT = HouseholdChange(None, ACCEPTED)


def a_card(card_type: CardType, household_id: str | None = "hh-1") -> Card:
    return Card.issue(card_token=f"tok-{card_type}", last_four="1111", card_type=card_type, person_id="p-1",
                      household_id=household_id, cooperative_id="hok-elanto", membership_id="m-1", at=ISSUED)


def member_number() -> Card:
    return Card.register_member_number(card_token="member", last_four="0042", person_id="p-1", household_id="hh-1",
                                       cooperative_id="hok-elanto", membership_id="m-1", at=ISSUED)


def temporarily_blocked() -> Card:
    card = a_card(CardType.VISA_DEBIT)
    card.block(BlockReason.TEMPORARY_BY_OWNER, ACCEPTED - timedelta(days=10))
    return card


def lost() -> Card:
    card = a_card(CardType.VISA_DEBIT)
    card.block(BlockReason.LOST, ACCEPTED - timedelta(days=10))
    return card


def replaced() -> Card:
    card = a_card(CardType.CASH_CARD)
    card.issue_replacement(card_token="tok-new", last_four="2222", at=ACCEPTED - timedelta(days=10))
    return card


def past_validity() -> Card:
    return Card.issue(card_token="tok-old", last_four="1111", card_type=CardType.VISA_DEBIT, person_id="p-1",
                      household_id="hh-1", cooperative_id="hok-elanto", membership_id="m-1",
                      at=ISSUED - timedelta(days=3 * 365 + 60))


def already_there() -> Card:
    card = a_card(CardType.CASH_CARD)
    card.reallocate_household("hh-2", ISSUED + timedelta(days=1), cooperative_id="hok-pirkka", membership_id="m-2")
    return card


CASES = [
    # (card, change, moved, status after, household after)
    (lambda: a_card(CardType.CASH_CARD), TO_HH2, True, CardStatus.ACTIVE, "hh-2"),
    (lambda: a_card(CardType.VISA_CREDIT_DEBIT), TO_HH2, True, CardStatus.ACTIVE, "hh-2"),
    (member_number, TO_HH2, True, CardStatus.ACTIVE, "hh-2"),
    (temporarily_blocked, TO_HH2, True, CardStatus.TEMPORARILY_BLOCKED, "hh-2"),
    (lost, TO_HH2, False, CardStatus.BLOCKED, "hh-1"),
    (replaced, TO_HH2, False, CardStatus.REPLACED, "hh-1"),
    (past_validity, TO_HH2, False, CardStatus.ACTIVE, "hh-1"),
    (already_there, TO_HH2, False, CardStatus.ACTIVE, "hh-2"),
    (lambda: a_card(CardType.VISA_DEBIT), LEFT, True, CardStatus.BLOCKED, "hh-1"),
    (lambda: a_card(CardType.CASH_CARD), LEFT, True, CardStatus.ACTIVE, None),
    (member_number, LEFT, True, CardStatus.ACTIVE, None),
    (lambda: a_card(CardType.CASH_CARD, household_id=None), LEFT, False, CardStatus.ACTIVE, None),
]


@pytest.mark.parametrize(("make", "change", "moved", "status", "household"), CASES)
def test_which_cards_follow_their_holder_and_how(make, change, moved, status, household):
    card = make()
    assert (move_cards([card], change) == [card]) is moved
    assert (card.status, card.household_id) == (status, household)


def test_leaving_every_household_ends_the_payment_features():
    card = a_card(CardType.VISA_DEBIT)
    move_cards([card], LEFT)
    assert card.block_reason is BlockReason.HOLDER_LEFT_HOUSEHOLD


def test_purchases_before_acceptance_stay_with_the_old_household():
    card = a_card(CardType.CASH_CARD)
    move_cards([card], TO_HH2)
    periods = periods_from_events(card.events)
    assert resolve(periods, ACCEPTED - timedelta(microseconds=1)).household_id == "hh-1"
    assert (resolve(periods, ACCEPTED).household_id, resolve(periods, ACCEPTED).cooperative_id) == (
        "hh-2", "hok-pirkka")


def test_a_change_dated_before_a_cards_last_change_is_refused():
    card = a_card(CardType.CASH_CARD)
    card.block(BlockReason.TEMPORARY_BY_OWNER, ACCEPTED + timedelta(days=1))
    with pytest.raises(CardRuleViolation) as raised:
        move_cards([a_card(CardType.VISA_DEBIT), card], TO_HH2)
    assert raised.value.code == "change_not_retroactive"


@pytest.mark.parametrize("card_type", [CardType.VISA_DEBIT, CardType.CASH_CARD])
def test_a_move_ends_the_same_whichever_household_state_is_applied_first(card_type):
    """Leaving one household and joining another a minute later: the two households' states reach the
    cards service in either order, and the card must end active in the new household either way (a
    payment card blocked by the leave applied first used to stay blocked: its receipts never resolved)."""
    left = HouseholdChange(None, ACCEPTED - timedelta(minutes=1))
    outcomes = []
    for changes in ((left, TO_HH2), (TO_HH2, left)):
        card = a_card(card_type)
        for change in changes:
            if card.last_changed_at is None or card.last_changed_at <= change.at:  # a stale change is skipped
                move_cards([card], change)
        periods = periods_from_events(card.events)
        after = resolve(periods, ACCEPTED + timedelta(days=1))
        outcomes.append((card.status, card.household_id, after.household_id, after.card_was_usable))
    assert outcomes[0] == outcomes[1] == (CardStatus.ACTIVE, "hh-2", "hh-2", True)


def test_a_card_blocked_for_another_reason_does_not_resume_when_its_holder_joins():
    card = lost()
    assert move_cards([card], TO_HH2) == [] and card.status is CardStatus.BLOCKED
