from datetime import datetime, timedelta

import pytest

from services.cards.domain.card import (
    HELSINKI,
    BlockReason,
    Card,
    CardAllocationChanged,
    CardBlocked,
    CardExpired,
    CardIssued,
    CardReplaced,
    CardStatus,
    CardTerms,
    CardType,
)
from services.cards.domain.errors import CardRuleViolation

pytestmark = pytest.mark.unit

ISSUED = datetime(2024, 3, 15, 10, 0, tzinfo=HELSINKI)
LATER = ISSUED + timedelta(days=10)
SERIAL = iter(range(10_000))


def a_card(card_type=CardType.VISA_DEBIT, household_id="hh-1", person_id="p-1", **overrides) -> Card:
    fields = dict(
        card_token=f"tok-{next(SERIAL)}", last_four="1111", card_type=card_type,
        person_id=person_id, household_id=household_id, cooperative_id="hok-elanto",
        membership_id="m-1", at=ISSUED,
    )
    return Card.issue(**(fields | overrides))


def card_in(status: CardStatus) -> Card:
    card = a_card()
    if status is CardStatus.TEMPORARILY_BLOCKED:
        card.block(BlockReason.TEMPORARY_BY_OWNER, ISSUED + timedelta(days=1))
    elif status is CardStatus.BLOCKED:
        card.block(BlockReason.LOST, ISSUED + timedelta(days=1))
    elif status is CardStatus.REPLACED:
        card.replace(a_card(), ISSUED + timedelta(days=1))
    elif status is CardStatus.EXPIRED:
        card.expire(card.valid_until)
    return card


def raises_code(code: str, action) -> None:
    with pytest.raises(CardRuleViolation) as raised:
        action()
    assert raised.value.code == code


# -- issue and validity ------------------------------------------------------------------------


def test_payment_card_is_valid_to_the_end_of_the_printed_month_three_years_on():
    card = a_card(CardType.VISA_CREDIT_DEBIT)
    assert card.valid_from == ISSUED
    assert card.valid_until == datetime(2027, 4, 1, tzinfo=HELSINKI)


def test_payment_card_validity_follows_the_terms_in_force():
    card = a_card(terms=CardTerms(payment_card_validity_months=24))
    assert card.valid_until == datetime(2026, 4, 1, tzinfo=HELSINKI)


def test_cash_card_is_open_ended_and_never_expires():
    card = a_card(CardType.CASH_CARD)
    assert card.valid_until is None and not card.has_payment_features
    raises_code("card_does_not_expire", lambda: card.expire(ISSUED + timedelta(days=3650)))


def test_issue_records_card_issued_with_token_and_last_four_only():
    card = a_card()
    [issued] = card.events
    assert isinstance(issued, CardIssued)
    assert (issued.card_token, issued.last_four, issued.household_id) == (card.card_token, "1111", "hh-1")
    assert issued.at == ISSUED


def test_payment_card_needs_a_household():
    raises_code("person_has_no_household", lambda: a_card(CardType.VISA_DEBIT, household_id=None))


def test_cash_card_can_be_held_outside_a_household():
    assert a_card(CardType.CASH_CARD, household_id=None).household_id is None


def test_naive_times_are_refused():
    raises_code("time_not_timezone_aware", lambda: a_card(at=datetime(2024, 3, 15, 10)))


def test_digital_token_is_issued_only_for_a_parent_card():
    raises_code("parent_card_required", lambda: a_card(CardType.DIGITAL_TOKEN))


def test_digital_token_identifies_the_same_person_and_household_as_its_parent():
    parent = a_card()
    token = Card.issue_digital_token(parent, card_token="wallet-1", last_four="9876", at=LATER)
    assert (token.person_id, token.household_id, token.parent_card_token) == ("p-1", "hh-1", parent.card_token)
    assert token.valid_until == parent.valid_until and token.has_payment_features


def test_digital_token_is_not_issued_for_a_blocked_card():
    parent = card_in(CardStatus.BLOCKED)
    raises_code("parent_card_not_usable",
                lambda: Card.issue_digital_token(parent, card_token="w", last_four="1", at=LATER))


def test_card_expires_at_its_valid_until_time_and_not_before():
    card = a_card()
    raises_code("card_still_valid", lambda: card.expire(card.valid_until - timedelta(seconds=1)))
    card.expire(card.valid_until + timedelta(days=2))
    assert card.status is CardStatus.EXPIRED
    assert card.events[-1] == CardExpired(card.card_token, card.valid_until)


def test_a_card_past_its_validity_takes_no_operation_even_before_it_is_swept():
    card = a_card()
    raises_code("card_expired", lambda: card.block(BlockReason.LOST, card.valid_until))


# -- block transitions: from-status x operation -> resulting status or error code ---------------

OPERATIONS = {
    "block_lost": lambda card: card.block(BlockReason.LOST, LATER),
    "block_misuse": lambda card: card.block(BlockReason.SUSPECTED_MISUSE, LATER),
    "block_owner_request": lambda card: card.block(BlockReason.OWNER_REQUEST, LATER),
    "block_temporary": lambda card: card.block(BlockReason.TEMPORARY_BY_OWNER, LATER),
    "holder_left_household": lambda card: card.block(BlockReason.HOLDER_LEFT_HOUSEHOLD, LATER),
    "lift_block": lambda card: card.lift_block(LATER),
    "reallocate": lambda card: card.reallocate_household("hh-2", LATER),
    "replace": lambda card: card.replace(a_card(), LATER),
}
A, T, B = CardStatus.ACTIVE, CardStatus.TEMPORARILY_BLOCKED, CardStatus.BLOCKED
R, E = CardStatus.REPLACED, CardStatus.EXPIRED
TRANSITIONS = [
    (A, "block_lost", B), (A, "block_misuse", B), (A, "block_owner_request", B),
    (A, "block_temporary", T), (A, "holder_left_household", B), (A, "lift_block", "card_not_blocked"),
    (A, "reallocate", A), (A, "replace", R),
    (T, "block_lost", B), (T, "block_misuse", B), (T, "block_owner_request", B),
    (T, "block_temporary", "card_already_blocked"), (T, "holder_left_household", B),
    (T, "lift_block", A), (T, "reallocate", T), (T, "replace", R),
    (B, "block_lost", "card_already_blocked"), (B, "block_misuse", "card_already_blocked"),
    (B, "block_owner_request", "card_already_blocked"), (B, "block_temporary", "card_already_blocked"),
    (B, "holder_left_household", "card_already_blocked"), (B, "lift_block", "block_not_liftable"),
    (B, "reallocate", "card_blocked"), (B, "replace", R),
    *[(R, operation, "card_replaced") for operation in OPERATIONS],
    *[(E, operation, "card_expired") for operation in OPERATIONS],
]


@pytest.mark.parametrize(("from_status", "operation", "outcome"), TRANSITIONS)
def test_block_transitions_of_a_payment_card(from_status, operation, outcome):
    card = card_in(from_status)
    if isinstance(outcome, CardStatus):
        OPERATIONS[operation](card)
        assert card.status is outcome
    else:
        before = len(card.events)
        raises_code(outcome, lambda: OPERATIONS[operation](card))
        assert card.status is from_status and len(card.events) == before


def test_block_records_reason_and_whether_it_is_permanent():
    card = a_card()
    card.block(BlockReason.STOLEN, LATER)
    assert card.events[-1] == CardBlocked(card.card_token, BlockReason.STOLEN, True, LATER)
    assert (card.block_reason, card.blocked_at) == (BlockReason.STOLEN, LATER)


def test_lapsed_is_not_a_reason_anyone_can_request():
    raises_code("block_reason_not_requestable",
                lambda: a_card().block(BlockReason.TEMPORARY_BLOCK_LAPSED, LATER))


# -- temporary block lapsing after three months ---------------------------------------------------

BLOCKED_ON = datetime(2024, 11, 30, 18, 0, tzinfo=HELSINKI)
LAPSES_ON = datetime(2025, 2, 28, 18, 0, tzinfo=HELSINKI)  # three calendar months, clamped


def temporarily_blocked_card() -> Card:
    card = a_card()
    card.block(BlockReason.TEMPORARY_BY_OWNER, BLOCKED_ON)
    return card


def test_temporary_block_stays_liftable_until_three_months_have_passed():
    card = temporarily_blocked_card()
    card.settle_temporary_block(LAPSES_ON - timedelta(seconds=1))
    assert card.status is CardStatus.TEMPORARILY_BLOCKED
    card.lift_block(LAPSES_ON - timedelta(seconds=1))
    assert card.status is CardStatus.ACTIVE and card.block_reason is None


def test_temporary_block_becomes_permanent_after_three_months():
    card = temporarily_blocked_card()
    card.settle_temporary_block(LAPSES_ON + timedelta(days=5))
    assert (card.status, card.block_reason) == (CardStatus.BLOCKED, BlockReason.TEMPORARY_BLOCK_LAPSED)
    assert card.events[-1] == CardBlocked(card.card_token, BlockReason.TEMPORARY_BLOCK_LAPSED, True, LAPSES_ON)


def test_settling_twice_records_one_permanent_block():
    card = temporarily_blocked_card()
    card.settle_temporary_block(LAPSES_ON)
    card.settle_temporary_block(LAPSES_ON + timedelta(days=1))
    assert sum(isinstance(event, CardBlocked) and event.permanent for event in card.events) == 1


def test_lapsed_temporary_block_cannot_be_lifted_even_before_it_is_settled():
    card = temporarily_blocked_card()
    raises_code("block_not_liftable", lambda: card.lift_block(LAPSES_ON))


def test_lapsed_temporary_block_closes_the_card_without_replacement():
    card = temporarily_blocked_card()
    card.settle_temporary_block(LAPSES_ON)
    raises_code("card_closed_without_replacement", lambda: card.replace(a_card(), LAPSES_ON))


def test_owner_can_make_a_temporary_block_permanent_within_three_months():
    card = temporarily_blocked_card()
    card.block(BlockReason.LOST, BLOCKED_ON + timedelta(days=30))
    assert (card.status, card.block_lapses_at) == (CardStatus.BLOCKED, None)


# -- leaving the household -------------------------------------------------------------------------


def test_payment_features_end_when_the_holder_leaves_the_household():
    card = a_card(CardType.VISA_CREDIT)
    card.block(BlockReason.HOLDER_LEFT_HOUSEHOLD, LATER)
    assert (card.status, card.block_reason) == (CardStatus.BLOCKED, BlockReason.HOLDER_LEFT_HOUSEHOLD)


def test_cash_card_moves_to_no_household_when_the_holder_leaves():
    card = a_card(CardType.CASH_CARD)
    card.block(BlockReason.HOLDER_LEFT_HOUSEHOLD, LATER)
    assert (card.status, card.household_id) == (CardStatus.ACTIVE, None)
    assert card.events[-1] == CardAllocationChanged(card.card_token, "p-1", None, "hok-elanto", "m-1", LATER)


def test_cash_card_outside_a_household_cannot_leave_one():
    card = a_card(CardType.CASH_CARD, household_id=None)
    raises_code("person_has_no_household", lambda: card.block(BlockReason.HOLDER_LEFT_HOUSEHOLD, LATER))


# -- replacement and reallocation ------------------------------------------------------------------


def test_replacement_links_the_old_and_the_new_card():
    old, new = a_card(), a_card()
    old.replace(new, LATER)
    assert (old.status, old.replaced_by, new.replaces) == (CardStatus.REPLACED, new.card_token, old.card_token)
    assert old.events[-1] == CardReplaced(old.card_token, new.card_token, LATER)


def test_replacement_is_for_the_same_person_and_a_new_card():
    old = a_card()
    raises_code("replacement_for_another_person", lambda: old.replace(a_card(person_id="p-2"), LATER))
    raises_code("replacement_not_new", lambda: old.replace(old, LATER))


def test_reallocation_takes_effect_from_acceptance_and_records_the_change():
    card = a_card()
    card.reallocate_household("hh-2", LATER, cooperative_id="hok-pirkka", membership_id="m-9")
    assert (card.household_id, card.cooperative_id, card.membership_id) == ("hh-2", "hok-pirkka", "m-9")
    assert card.events[-1] == CardAllocationChanged(card.card_token, "p-1", "hh-2", "hok-pirkka", "m-9", LATER)


def test_reallocation_is_never_retroactive():
    card = a_card()
    card.reallocate_household("hh-2", LATER)
    raises_code("change_not_retroactive",
                lambda: card.reallocate_household("hh-3", LATER - timedelta(seconds=1)))
    raises_code("change_not_retroactive",
                lambda: a_card().reallocate_household("hh-3", ISSUED - timedelta(days=1)))


def test_no_change_is_dated_before_the_last_recorded_one():
    card = a_card()
    card.block(BlockReason.TEMPORARY_BY_OWNER, LATER)
    raises_code("change_not_retroactive", lambda: card.lift_block(LATER - timedelta(hours=1)))


def test_expiry_first_records_a_temporary_block_that_lapsed_before_it():
    card = a_card()
    card.block(BlockReason.TEMPORARY_BY_OWNER, LATER)
    card.expire(card.valid_until)
    lapsed, expired = card.events[-2:]
    assert (lapsed.reason, lapsed.permanent) == (BlockReason.TEMPORARY_BLOCK_LAPSED, True)
    assert (card.status, expired) == (CardStatus.EXPIRED, CardExpired(card.card_token, card.valid_until))


def test_payment_card_cannot_be_reallocated_to_no_household():
    raises_code("person_has_no_household", lambda: a_card().reallocate_household(None, LATER))
