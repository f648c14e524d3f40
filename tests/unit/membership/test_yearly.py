from datetime import date

import pytest

from services.membership.domain.contribution import Contribution, ContributionPolicy, PaymentSource
from services.membership.domain.errors import InvalidRate
from services.membership.domain.yearly import interest_for_year, share_of, surplus_return

pytestmark = pytest.mark.unit

TEN_PERCENT_BP = 1000
KSO_2021_SURPLUS_BP = 250


def contribution_fully_paid_on(day: date) -> Contribution:
    contribution = Contribution(policy=ContributionPolicy(), joined_on=date(day.year - 1, 6, 1))
    contribution.apply_payment(2000, contribution.joined_on)
    contribution.apply_payment(8000, day, PaymentSource.BONUS)
    return contribution


def test_ten_percent_interest_on_a_full_contribution_is_ten_euros():
    contribution = contribution_fully_paid_on(date(2022, 6, 10))

    assert interest_for_year(contribution, 2023, TEN_PERCENT_BP) == 1000


@pytest.mark.parametrize(
    ("fully_paid_on", "year", "interest_cents"),
    [
        (date(2022, 12, 31), 2023, 1000),
        (date(2023, 1, 1), 2023, 0),
        (date(2023, 6, 10), 2023, 0),
        (date(2023, 6, 10), 2024, 1000),
        (date(2020, 3, 1), 2024, 1000),
    ],
)
def test_interest_starts_the_year_after_full_payment(fully_paid_on, year, interest_cents):
    contribution = contribution_fully_paid_on(fully_paid_on)

    assert interest_for_year(contribution, year, TEN_PERCENT_BP) == interest_cents


def test_partly_paid_contribution_earns_no_interest():
    contribution = Contribution(policy=ContributionPolicy(), joined_on=date(2021, 1, 1))
    contribution.apply_payment(9900, date(2021, 1, 1))

    assert interest_for_year(contribution, 2023, TEN_PERCENT_BP) == 0


@pytest.mark.parametrize(
    ("amount_cents", "rate_bp", "expected_cents"),
    [
        (10000, 1000, 1000),
        (10000, 0, 0),
        (10000, 333, 333),
        (150, 1000, 15),
        (5, 1000, 1),
        (4, 1000, 0),
        (123456, 250, 3086),
        (123420, 250, 3086),
        (123380, 250, 3085),
    ],
)
def test_shares_are_rounded_half_up_to_cents(amount_cents, rate_bp, expected_cents):
    assert share_of(amount_cents, rate_bp) == expected_cents


def test_kso_paid_two_and_a_half_percent_on_2021_purchases():
    assert surplus_return(400000, KSO_2021_SURPLUS_BP, active_at_year_end=True) == 10000


@pytest.mark.parametrize(
    ("purchases_cents", "active_at_year_end", "expected_cents"),
    [
        (123456, True, 3086),
        (123456, False, 0),
        (0, True, 0),
        (-500, True, 0),
    ],
)
def test_surplus_return_needs_membership_active_at_year_end(
    purchases_cents, active_at_year_end, expected_cents
):
    assert surplus_return(purchases_cents, KSO_2021_SURPLUS_BP, active_at_year_end) == expected_cents


@pytest.mark.parametrize("rate_bp", [-1, 2.5, None])
def test_rate_must_be_non_negative_basis_points(rate_bp):
    with pytest.raises(InvalidRate):
        surplus_return(10000, rate_bp, active_at_year_end=True)
