from datetime import date

import pytest

from services.membership.domain.contribution import (
    Contribution,
    ContributionPolicy,
    ContributionStatus,
    PaymentSource,
    add_months,
    refund_due_on_termination,
)
from services.membership.domain.errors import (
    ContributionOverdue,
    FirstPaymentTooSmall,
    InvalidPaymentAmount,
    RefundExceedsPaid,
)

pytestmark = pytest.mark.unit

JOINED_ON = date(2023, 3, 15)


def new_contribution(first_payment_cents: int = 2000, joined_on: date = JOINED_ON) -> Contribution:
    contribution = Contribution(policy=ContributionPolicy(), joined_on=joined_on)
    contribution.apply_payment(first_payment_cents, joined_on)
    return contribution


def test_default_policy_is_100_euros_with_20_euros_first_and_24_months():
    assert ContributionPolicy() == ContributionPolicy(
        full_cents=10000, minimum_first_payment_cents=2000, deadline_months=24
    )


@pytest.mark.parametrize(
    ("joined_on", "deadline"),
    [
        (date(2023, 3, 15), date(2025, 3, 15)),
        (date(2023, 12, 31), date(2025, 12, 31)),
        (date(2022, 2, 28), date(2024, 2, 28)),
        (date(2024, 2, 29), date(2026, 2, 28)),
    ],
)
def test_deadline_is_24_months_after_joining(joined_on, deadline):
    assert ContributionPolicy().deadline(joined_on) == deadline


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(date(2023, 1, 31), 1, date(2023, 2, 28)), (date(2023, 11, 30), 3, date(2024, 2, 29))],
)
def test_adding_months_clamps_to_the_end_of_a_shorter_month(day, months, expected):
    assert add_months(day, months) == expected


@pytest.mark.parametrize("amount_cents", [2000, 5000, 10000])
def test_first_payment_of_at_least_20_euros_is_accepted(amount_cents):
    contribution = new_contribution(amount_cents)

    assert (contribution.paid_cents, contribution.open_cents) == (amount_cents, 10000 - amount_cents)


@pytest.mark.parametrize("amount_cents", [1, 1000, 1999])
def test_first_payment_below_20_euros_is_rejected(amount_cents):
    contribution = Contribution(policy=ContributionPolicy(), joined_on=JOINED_ON)

    with pytest.raises(FirstPaymentTooSmall):
        contribution.apply_payment(amount_cents, JOINED_ON)
    assert contribution.payments == []


def test_later_payments_may_be_smaller_than_the_first_minimum():
    contribution = new_contribution()

    assert contribution.apply_payment(500, date(2023, 4, 10), PaymentSource.BONUS) == 0
    assert contribution.paid_cents == 2500


@pytest.mark.parametrize("amount_cents", [0, -100, 12.5, True])
def test_payment_must_be_a_positive_whole_number_of_cents(amount_cents):
    with pytest.raises(InvalidPaymentAmount):
        new_contribution().apply_payment(amount_cents, date(2023, 4, 10))


def test_bonus_is_applied_to_the_open_contribution_first():
    # domain.md worked example 9: 20 € paid, 45 € Bonus + 2 € payment-method benefit
    contribution = new_contribution(2000)

    excess = contribution.apply_payment(4700, date(2023, 4, 10), PaymentSource.BONUS)

    assert (excess, contribution.open_cents) == (0, 3300)


def test_payment_is_capped_at_the_open_amount_and_the_excess_returned():
    contribution = new_contribution(8000)

    excess = contribution.apply_payment(4700, date(2023, 4, 10), PaymentSource.BONUS)

    assert (excess, contribution.paid_cents, contribution.open_cents) == (2700, 10000, 0)
    assert contribution.payments[-1].amount_cents == 2000


def test_payment_to_a_fully_paid_contribution_is_all_excess_and_not_recorded():
    contribution = new_contribution(10000)

    assert contribution.apply_payment(450, date(2023, 4, 10), PaymentSource.BONUS) == 450
    assert len(contribution.payments) == 1


def test_fully_paid_on_is_the_date_the_running_total_reached_100_euros():
    contribution = new_contribution(2000)
    contribution.apply_payment(5000, date(2023, 6, 10), PaymentSource.BONUS)
    contribution.apply_payment(3000, date(2023, 9, 10), PaymentSource.BONUS)

    assert contribution.fully_paid_on == date(2023, 9, 10)


def test_partly_paid_contribution_has_no_fully_paid_date():
    assert new_contribution(9999).fully_paid_on is None


@pytest.mark.parametrize(
    ("first_payment_cents", "day", "status"),
    [
        (2000, date(2024, 1, 1), ContributionStatus.PARTLY_PAID),
        (2000, date(2025, 3, 15), ContributionStatus.PARTLY_PAID),
        (2000, date(2025, 3, 16), ContributionStatus.OVERDUE),
        (10000, date(2023, 3, 15), ContributionStatus.FULLY_PAID),
        (10000, date(2030, 1, 1), ContributionStatus.FULLY_PAID),
    ],
)
def test_status_on_a_day(first_payment_cents, day, status):
    assert new_contribution(first_payment_cents).status_on(day) is status


def test_status_counts_only_payments_made_by_that_day():
    contribution = new_contribution(2000)
    contribution.apply_payment(8000, date(2024, 6, 1))

    assert contribution.status_on(date(2024, 5, 31)) is ContributionStatus.PARTLY_PAID
    assert contribution.status_on(date(2024, 6, 1)) is ContributionStatus.FULLY_PAID


def test_no_payment_is_accepted_after_the_deadline_has_passed_unpaid():
    contribution = new_contribution(2000)

    with pytest.raises(ContributionOverdue):
        contribution.apply_payment(8000, date(2025, 3, 16))


def test_overdue_termination_refunds_the_paid_part():
    contribution = new_contribution(2000)
    contribution.apply_payment(3500, date(2024, 1, 10), PaymentSource.BONUS)
    terminated_on = date(2025, 3, 16)

    assert contribution.status_on(terminated_on) is ContributionStatus.OVERDUE
    assert refund_due_on_termination(contribution, terminated_on) == 5500


def test_recorded_refund_leaves_nothing_more_to_refund():
    contribution = new_contribution(2000)
    contribution.record_refund(2000, date(2025, 6, 1))

    assert contribution.paid_cents == 0
    assert refund_due_on_termination(contribution, date(2025, 3, 16)) == 0


def test_refund_cannot_exceed_what_was_paid():
    with pytest.raises(RefundExceedsPaid):
        new_contribution(2000).record_refund(2001, date(2025, 6, 1))


def test_a_refund_is_not_booked_as_a_payment():
    with pytest.raises(InvalidPaymentAmount):
        new_contribution().apply_payment(500, date(2023, 4, 1), PaymentSource.REFUND)


def test_cooperative_policy_is_data():
    policy = ContributionPolicy(full_cents=20000, minimum_first_payment_cents=5000, deadline_months=12)
    contribution = Contribution(policy=policy, joined_on=JOINED_ON)

    with pytest.raises(FirstPaymentTooSmall):
        contribution.check_first_payment(4999)
    assert contribution.deadline == date(2024, 3, 15)
