"""Yearly member benefits decided by the Council of Representatives with the financial statements.

Both are paid in spring for the previous financial year. Rates are in basis points (1 % = 100 bp) and
results are rounded half-up to whole cents.
"""

from datetime import date

from services.membership.domain.contribution import Contribution
from services.membership.domain.errors import InvalidRate

BASIS_POINTS_PER_WHOLE = 10000


def check_rate(rate_bp: int) -> None:
    if isinstance(rate_bp, bool) or not isinstance(rate_bp, int) or rate_bp < 0:
        raise InvalidRate()


def share_of(amount_cents: int, rate_bp: int) -> int:
    """`rate_bp` basis points of a non-negative amount, rounded half-up to cents."""
    check_rate(rate_bp)
    return (amount_cents * rate_bp * 2 + BASIS_POINTS_PER_WHOLE) // (2 * BASIS_POINTS_PER_WHOLE)


def interest_for_year(contribution: Contribution, year: int, rate_bp: int) -> int:
    """Interest paid in `year` on the contribution, in cents.

    Only a contribution fully paid by the end of the previous year earns interest, so interest
    starts the year after full payment.
    """
    check_rate(rate_bp)
    end_of_previous_year = date(year - 1, 12, 31)
    fully_paid_on = contribution.fully_paid_on
    if fully_paid_on is None or fully_paid_on > end_of_previous_year:
        return 0
    return share_of(contribution.paid_cents_on(end_of_previous_year), rate_bp)


def surplus_return(
    previous_year_own_coop_bonus_purchases_cents: int, rate_bp: int, active_at_year_end: bool
) -> int:
    """Return of surplus in cents: a share of the household's previous-year Bonus purchases at the
    member's own cooperative, only for a membership active at the end of that year."""
    check_rate(rate_bp)
    if not active_at_year_end or previous_year_own_coop_bonus_purchases_cents <= 0:
        return 0
    return share_of(previous_year_own_coop_bonus_purchases_cents, rate_bp)
