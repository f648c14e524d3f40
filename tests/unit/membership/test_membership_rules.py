"""Joining, transfer and the end of a membership; member numbers and the Helsinki calendar."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from services.membership.domain.contribution import Contribution, ContributionPolicy
from services.membership.domain.errors import (
    AlreadyAMember,
    BenefitAccountRequired,
    NotAMember,
    PersonDeceased,
    SameCooperative,
)
from services.membership.domain.membership import (
    MembershipStatus,
    check_can_join,
    check_can_transfer,
    check_is_member,
    ends_for_unpaid_contribution,
)
from services.membership.domain.numbers import day_start, helsinki_date, luhn_check_digit, member_number, month_start

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("facts, violation", [
    (dict(deceased=True, has_active_membership=False, has_benefit_account=True), PersonDeceased),
    (dict(deceased=False, has_active_membership=True, has_benefit_account=True), AlreadyAMember),
    (dict(deceased=False, has_active_membership=False, has_benefit_account=False), BenefitAccountRequired),
])
def test_who_cannot_join(facts, violation):
    with pytest.raises(violation):
        check_can_join(**facts)


def test_a_living_customer_with_an_account_and_no_membership_joins():
    check_can_join(deceased=False, has_active_membership=False, has_benefit_account=True)


def test_a_transfer_goes_to_another_cooperative_and_needs_a_membership():
    check_can_transfer("hok-elanto", "pirkanmaan")
    with pytest.raises(SameCooperative):
        check_can_transfer("hok-elanto", "hok-elanto")
    with pytest.raises(NotAMember):
        check_is_member(None)


@pytest.mark.parametrize("status, refunds", [
    (MembershipStatus.RESIGNED, True), (MembershipStatus.TERMINATED_UNPAID, True), (MembershipStatus.DECEASED, True),
    (MembershipStatus.TRANSFERRED, False), (MembershipStatus.ACTIVE, False),
])
def test_which_endings_refund_the_contribution(status, refunds):
    assert status.refunds_contribution is refunds


def test_an_unpaid_contribution_ends_the_membership_the_day_after_its_deadline():
    contribution = Contribution(ContributionPolicy(), date(2030, 1, 31))
    contribution.apply_payment(2000, date(2030, 1, 31))
    assert not ends_for_unpaid_contribution(contribution, date(2032, 1, 31))
    assert ends_for_unpaid_contribution(contribution, date(2032, 2, 1))
    contribution.apply_payment(8000, date(2031, 1, 1))
    assert not ends_for_unpaid_contribution(contribution, date(2040, 1, 1))


@pytest.mark.parametrize("serial, number", [(1, "0000000018"), (123456789, "1234567897")])
def test_member_numbers_have_nine_digits_and_a_luhn_check_digit(serial, number):
    assert member_number(serial) == number
    assert luhn_check_digit(number[:-1]) == number[-1]


def test_member_number_serials_are_bounded():
    with pytest.raises(ValueError):
        member_number(10 ** 9)


def test_months_and_days_are_finnish():
    late_evening_utc = datetime(2030, 5, 31, 21, 30, tzinfo=timezone.utc)  # 1 June 00:30 in Helsinki
    assert helsinki_date(late_evening_utc) == date(2030, 6, 1)
    assert month_start(late_evening_utc) == datetime(2030, 5, 31, 21, 0, tzinfo=timezone.utc)
    assert day_start(date(2030, 1, 1)) == datetime(2029, 12, 31, 22, 0, tzinfo=timezone.utc)
