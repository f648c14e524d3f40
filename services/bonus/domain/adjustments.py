"""Corrections to a household-month that is already closed and paid.

Until a month is closed its Bonus is simply recomputed from the new totals (domain.md §9 rule 1). Once
it is closed, a return of one of its purchases, or a purchase that arrives late, no longer reopens it.
Instead the change is an *adjustment* priced at the rate recorded when the month closed:

* the tier is never re-evaluated after payout: a return that would have dropped the household below a
  threshold does not take back Bonus already paid on the other purchases, and a late purchase that would
  have lifted it into a higher tier earns only the recorded rate (a month recorded at 0 % earns nothing);
* the tier table in force today plays no part, only the recorded ``rate_bp``;
* each kind is rounded once, half away from zero, so a return takes back exactly what the same purchase
  earned; a return gives negative amounts, which the application nets against later payouts.

How S-Group handles returns was NOT FOUND (§1.6, §10); this is the documented assumption.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from services.bonus.domain.calculation import (
    PAYMENT_METHOD_RATE_BP,
    MonthTotals,
    bonus_at_rate,
    fuel_bonus_at_rate,
    payment_method_benefit,
)


class RecordedMonth(Protocol):
    """A closed month as recorded at payout; ``MonthBonus`` is one."""

    @property
    def rate_bp(self) -> int: ...


@dataclass(frozen=True)
class ClosedMonthAdjustment:
    """The change to each kind of earning; negative for returns, positive for late purchases."""

    bonus_cents: int
    fuel_bonus_cents: int
    payment_method_benefit_cents: int

    @property
    def total_cents(self) -> int:
        """The net change over all kinds."""
        return self.bonus_cents + self.fuel_bonus_cents + self.payment_method_benefit_cents


def adjustment_for_closed_month(
    original: RecordedMonth,
    delta: MonthTotals,
    payment_method_rate_bp: int = PAYMENT_METHOD_RATE_BP,
) -> ClosedMonthAdjustment:
    """Price a change to a closed month's totals at the rate recorded when it closed."""
    return ClosedMonthAdjustment(
        bonus_cents=bonus_at_rate(original.rate_bp, delta.bonus_cents, delta.double_cents),
        fuel_bonus_cents=fuel_bonus_at_rate(original.rate_bp, delta.fuel_millilitres),
        payment_method_benefit_cents=payment_method_benefit(
            delta.payment_method_cents, payment_method_rate_bp
        ),
    )
