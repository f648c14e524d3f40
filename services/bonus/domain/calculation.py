"""The household-month Bonus calculation (domain.md §9 rules 4-8).

A household's eligible purchases for one calendar month are pooled into ``MonthTotals``. Their sum, the
*tier total*, picks one rate ``p`` from the cooperative's tier table for the whole household. Then:

* Bonus = p x ordinary purchases + 2p x purchases at a double-Bonus campaign outlet;
* Fuel Bonus = ABC litres x p cents per litre (fuel euros count toward the tier but earn no percentage,
  and Fuel Bonus is never doubled);
* payment-method benefit = 0.5 % of purchases paid with an S-Etukortti payment feature, independent
  of the tier.

Each amount is rounded once, half-up to a whole cent, over the household-month (the rounding rule was
not found; this is the documented assumption of §9 rule 8). All arithmetic is in integers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields

from services.bonus.domain.tiers import TierTable

BASIS_POINTS_PER_UNIT = 10_000
"""A rate of 10 000 basis points is 100 %."""

BASIS_POINTS_PER_PERCENT = 100

MILLILITRES_PER_LITRE = 1_000

PAYMENT_METHOD_RATE_BP = 50
"""Payment-method benefit rate: 0.5 % (domain.md §1.7)."""


def round_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to an integer, halves away from zero (Decimal ROUND_HALF_UP).

    Rounding a negative amount mirrors the positive one, so a return takes back exactly what the same
    purchase earned.
    """
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -magnitude if numerator < 0 else magnitude


@dataclass(frozen=True)
class MonthTotals:
    """Eligible purchases of one household in one calendar month, split by how they earn.

    ``bonus_cents`` are ordinary Bonus purchases (not fuel, not at a double-Bonus campaign outlet),
    ``double_cents`` purchases at a double-Bonus campaign outlet, ``fuel_cents`` and
    ``fuel_millilitres`` ABC fuel, and ``payment_method_cents`` the purchases eligible for the
    payment-method benefit (they overlap the others; they are not part of the tier total). Returns make
    these figures smaller and may make them negative.
    """

    bonus_cents: int = 0
    double_cents: int = 0
    fuel_cents: int = 0
    fuel_millilitres: int = 0
    payment_method_cents: int = 0

    @property
    def tier_total_cents(self) -> int:
        """The total T that decides the household's rate: ordinary, double-Bonus and fuel purchases."""
        return self.bonus_cents + self.double_cents + self.fuel_cents

    def __add__(self, other: MonthTotals) -> MonthTotals:
        return MonthTotals(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))


def pool(member_totals: Iterable[MonthTotals]) -> MonthTotals:
    """Add up the month's purchases of every household member's cards into one household total."""
    return sum(member_totals, MonthTotals())


@dataclass(frozen=True)
class MonthBonus:
    """What a household earned in a month, and how far it is from the next tier."""

    rate_bp: int
    tier_total_cents: int
    bonus_cents: int
    fuel_bonus_cents: int
    payment_method_benefit_cents: int
    next_threshold_cents: int | None
    cents_to_next_tier: int | None


def bonus_at_rate(rate_bp: int, bonus_cents: int, double_cents: int) -> int:
    """Percentage Bonus at rate p on ordinary purchases plus 2p on double-Bonus purchases, rounded once."""
    return round_half_up(rate_bp * (bonus_cents + 2 * double_cents), BASIS_POINTS_PER_UNIT)


def fuel_bonus_at_rate(rate_bp: int, fuel_millilitres: int) -> int:
    """Fuel Bonus: p cents per litre (a 4.5 % month pays 4.5 c/l), rounded once."""
    # p % pays p cents per litre: cents = litres x rate_bp / 100 = millilitres x rate_bp / 100 000.
    return round_half_up(rate_bp * fuel_millilitres, BASIS_POINTS_PER_PERCENT * MILLILITRES_PER_LITRE)


def payment_method_benefit(payment_method_cents: int, rate_bp: int = PAYMENT_METHOD_RATE_BP) -> int:
    """The payment-method benefit on its own base, rounded once; it does not depend on the tier."""
    return round_half_up(rate_bp * payment_method_cents, BASIS_POINTS_PER_UNIT)


def compute_month(
    table: TierTable, totals: MonthTotals, payment_method_rate_bp: int = PAYMENT_METHOD_RATE_BP
) -> MonthBonus:
    """The household-month's Bonus, Fuel Bonus and payment-method benefit under ``table``.

    A zero or negative tier total reaches no tier, so the rate and the tier-based amounts are 0. No
    amount of an open month is ever negative: returns can reduce what a month earns down to 0, not
    below (closed months are corrected by adjustments instead).
    """
    total = totals.tier_total_cents
    rate_bp = table.rate_for(total)
    next_tier = table.next_tier(total)
    return MonthBonus(
        rate_bp=rate_bp,
        tier_total_cents=total,
        bonus_cents=max(0, bonus_at_rate(rate_bp, totals.bonus_cents, totals.double_cents)),
        fuel_bonus_cents=max(0, fuel_bonus_at_rate(rate_bp, totals.fuel_millilitres)),
        payment_method_benefit_cents=max(
            0, payment_method_benefit(totals.payment_method_cents, payment_method_rate_bp)
        ),
        next_threshold_cents=next_tier.threshold_cents if next_tier else None,
        cents_to_next_tier=next_tier.threshold_cents - total if next_tier else None,
    )
