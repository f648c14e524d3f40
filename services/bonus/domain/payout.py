"""Splitting a household-month's earnings between the unpaid membership fee and cash payouts.

A member whose capital contribution (membership fee, osuusmaksu) is not yet fully paid has Bonus and
payment-method benefit credited to the open fee first; only what is left is paid in cash, to the main
member's benefit payment account (domain.md §1.6, §9 rule 9, worked example 9).

Decisions where the sources are silent:

* Bonus is applied to the fee before the payment-method benefit, so any payment-method benefit left
  over is the part that reaches cash.
* Fuel Bonus is always paid in cash. The sources name only Bonus and payment-method benefit as going
  to the fee, so Fuel Bonus never does.
* There is no minimum payout; the excess over the open fee is paid in cash in full (§9 rule 9 [A]).
* The cash payout is separate transactions per kind (Bonus, payment-method benefit, Fuel Bonus);
  a kind with nothing to pay has no transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class NegativePayoutAmount(ValueError):
    """Payout inputs are amounts owed to the member or by them to the fee; none can be negative."""


class PayoutKind(StrEnum):
    """The separate deposits a month's payout is made of."""

    BONUS = "bonus"
    PAYMENT_METHOD_BENEFIT = "payment_method_benefit"
    FUEL_BONUS = "fuel_bonus"


@dataclass(frozen=True)
class PayoutTransaction:
    """One cash deposit to the main member's benefit payment account."""

    kind: PayoutKind
    cents: int


@dataclass(frozen=True)
class PayoutSplit:
    """Where a month's earnings go: to the open membership fee, and as cash transactions."""

    contribution_cents: int
    transactions: tuple[PayoutTransaction, ...]
    open_contribution_after_cents: int

    @property
    def cash_cents(self) -> int:
        """Everything paid out in cash this month."""
        return sum(transaction.cents for transaction in self.transactions)


def _check_not_negative(**amounts: int) -> None:
    negative = [name for name, cents in amounts.items() if cents < 0]
    if negative:
        raise NegativePayoutAmount(f"negative payout amounts: {', '.join(negative)}")


def split_payout(
    bonus_cents: int,
    fuel_bonus_cents: int,
    payment_method_benefit_cents: int,
    open_contribution_cents: int,
) -> PayoutSplit:
    """Apply Bonus, then payment-method benefit, to the open fee; pay the rest and Fuel Bonus in cash."""
    _check_not_negative(
        bonus_cents=bonus_cents,
        fuel_bonus_cents=fuel_bonus_cents,
        payment_method_benefit_cents=payment_method_benefit_cents,
        open_contribution_cents=open_contribution_cents,
    )
    bonus_to_fee = min(bonus_cents, open_contribution_cents)
    benefit_to_fee = min(payment_method_benefit_cents, open_contribution_cents - bonus_to_fee)
    cash = (
        PayoutTransaction(PayoutKind.BONUS, bonus_cents - bonus_to_fee),
        PayoutTransaction(PayoutKind.PAYMENT_METHOD_BENEFIT, payment_method_benefit_cents - benefit_to_fee),
        PayoutTransaction(PayoutKind.FUEL_BONUS, fuel_bonus_cents),
    )
    contribution = bonus_to_fee + benefit_to_fee
    return PayoutSplit(
        contribution_cents=contribution,
        transactions=tuple(transaction for transaction in cash if transaction.cents),
        open_contribution_after_cents=open_contribution_cents - contribution,
    )


def returned_in_cash(bonus_to_fee_cents: int, benefit_to_fee_cents: int, returned_cents: int
                     ) -> tuple[PayoutTransaction, ...]:
    """What the membership service could not apply of what went to the fee, back as cash by kind.

    The fee takes Bonus before the payment-method benefit (split_payout), so the part it did take is Bonus
    first and what comes back is the payment-method benefit's part first, then Bonus; anything beyond what
    was withheld (not expected) is paid as Bonus rather than kept."""
    _check_not_negative(bonus_to_fee_cents=bonus_to_fee_cents, benefit_to_fee_cents=benefit_to_fee_cents,
                        returned_cents=returned_cents)
    benefit = min(benefit_to_fee_cents, returned_cents)
    cash = (PayoutTransaction(PayoutKind.BONUS, returned_cents - benefit),
            PayoutTransaction(PayoutKind.PAYMENT_METHOD_BENEFIT, benefit))
    return tuple(transaction for transaction in cash if transaction.cents)
