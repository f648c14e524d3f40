"""Capital contribution (osuusmaksu): one share, paid in full or in parts before a deadline.

A member pays at least the cooperative's minimum when joining; the rest comes from Bonus and
payment-method benefit or separate payments. If the contribution is not fully paid by the deadline,
the cooperative ends the membership and refunds the paid part. Amounts are integer cents.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from services.membership.domain.errors import (
    ContributionOverdue,
    FirstPaymentTooSmall,
    InvalidPaymentAmount,
    RefundExceedsPaid,
)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month (31.1. + 1 → 28./29.2.)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ContributionPolicy:
    """A cooperative's contribution terms, set by its rules."""

    full_cents: int = 10000
    minimum_first_payment_cents: int = 2000
    deadline_months: int = 24

    def deadline(self, joined_on: date) -> date:
        """The last day on which the contribution can still be completed."""
        return add_months(joined_on, self.deadline_months)


class PaymentSource(str, Enum):
    PAYMENT = "payment"
    BONUS = "bonus"
    REFUND = "refund"


class ContributionStatus(str, Enum):
    PARTLY_PAID = "partly_paid"
    FULLY_PAID = "fully_paid"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class ContributionPayment:
    amount_cents: int
    paid_at: date
    source: PaymentSource

    @property
    def signed_cents(self) -> int:
        return -self.amount_cents if self.source is PaymentSource.REFUND else self.amount_cents


def check_positive_amount(amount_cents: int) -> None:
    if isinstance(amount_cents, bool) or not isinstance(amount_cents, int) or amount_cents <= 0:
        raise InvalidPaymentAmount()


@dataclass
class Contribution:
    """A member's contribution: the policy at joining and the payment transactions so far."""

    policy: ContributionPolicy
    joined_on: date
    payments: list[ContributionPayment] = field(default_factory=list)

    @property
    def deadline(self) -> date:
        return self.policy.deadline(self.joined_on)

    @property
    def paid_cents(self) -> int:
        return sum(payment.signed_cents for payment in self.payments)

    @property
    def open_cents(self) -> int:
        return self.policy.full_cents - self.paid_cents

    def paid_cents_on(self, day: date) -> int:
        return sum(p.signed_cents for p in self.payments if p.paid_at <= day)

    @property
    def fully_paid_on(self) -> date | None:
        """The date the running total first reached the full contribution."""
        running = 0
        for payment in sorted(self.payments, key=lambda p: p.paid_at):
            running += payment.signed_cents
            if running >= self.policy.full_cents:
                return payment.paid_at
        return None

    def status_on(self, day: date) -> ContributionStatus:
        if self.paid_cents_on(day) >= self.policy.full_cents:
            return ContributionStatus.FULLY_PAID
        if day > self.deadline:
            return ContributionStatus.OVERDUE
        return ContributionStatus.PARTLY_PAID

    def check_first_payment(self, amount_cents: int) -> None:
        if amount_cents < self.policy.minimum_first_payment_cents:
            raise FirstPaymentTooSmall()

    def check_not_overdue(self, day: date) -> None:
        if self.status_on(day) is ContributionStatus.OVERDUE:
            raise ContributionOverdue()

    def apply_payment(
        self, amount_cents: int, paid_at: date, source: PaymentSource = PaymentSource.PAYMENT
    ) -> int:
        """Book a payment or Bonus deduction, capped at the open amount; returns the excess in cents."""
        check_positive_amount(amount_cents)
        if source is PaymentSource.REFUND:
            raise InvalidPaymentAmount("refund_is_not_a_payment")
        if not self.payments:
            self.check_first_payment(amount_cents)
        self.check_not_overdue(paid_at)
        applied = min(amount_cents, max(self.open_cents, 0))
        if applied:
            self.payments.append(ContributionPayment(applied, paid_at, source))
        return amount_cents - applied

    def record_refund(self, amount_cents: int, refunded_on: date) -> None:
        check_positive_amount(amount_cents)
        if amount_cents > self.paid_cents:
            raise RefundExceedsPaid()
        self.payments.append(ContributionPayment(amount_cents, refunded_on, PaymentSource.REFUND))


def refund_due_on_termination(contribution: Contribution, terminated_on: date) -> int:
    """Cents to refund when membership ends: everything paid up to that day and not yet refunded.

    This covers both resignation and termination for an overdue contribution (the paid part).
    """
    paid = sum(
        p.amount_cents
        for p in contribution.payments
        if p.source is not PaymentSource.REFUND and p.paid_at <= terminated_on
    )
    refunded = sum(p.amount_cents for p in contribution.payments if p.source is PaymentSource.REFUND)
    return max(paid - refunded, 0)
