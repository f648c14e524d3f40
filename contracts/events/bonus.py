"""Bonus events: payouts (`bonus.payouts.v1`), the month close command and the close report."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.events.common import Contract
from contracts.events.membership_states import BenefitAccountRef

PayoutKind = Literal["bonus", "payment_method_benefit", "fuel_bonus", "adjustment"]
Month = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="calendar month in Europe/Helsinki, YYYY-MM")


class PayoutTransaction(Contract):
    """One deposit: Bonus, payment-method benefit and Fuel Bonus are separate transactions."""

    kind: PayoutKind
    amount_cents: int = Field(description="negative only for an adjustment that takes back (a return)")


class BonusPayout(Contract):
    """What a household is paid for a month, to the main member's benefit payment account at S-Bank.

    One message per household and month (or per adjustment) that pays anything, in cash or to the open
    contribution (a household paid nothing gets none; its statement says so), carrying its separate
    transactions; the part
    applied to an unpaid capital contribution is in `contribution_cents` (the membership service books it).
    `payout_id` is unique and stable: a re-sent payout has the same id and must be booked once.
    """

    payout_id: str
    household_id: str
    month: str = Month
    rate_bp: int = Field(description="the household's Bonus % of the month in basis points (500 = 5 %)")
    due_on: date
    currency: Literal["EUR"] = "EUR"
    transactions: list[PayoutTransaction]
    contribution_cents: int = Field(0, description="applied to the open capital contribution, not paid out")
    benefit_account: BenefitAccountRef | None = Field(
        None, description="the main member's benefit payment account as of the payout (IBAN sealed for them); a "
                          "household without one has its payout held by the register until it has one")


class CloseBonusMonth(Contract):
    month: str = Month


class BonusMonthClosed(Contract):
    month: str = Month
    households: int
    payouts: int
    paid_cents: int


class MonthToDate(Contract):
    """The household's month so far, as the customer apps show it: total, current %, what the next tier
    needs. Published after every change; compacted by household, so the latest is what a reader gets."""

    household_id: str
    month: str = Month
    cooperative_id: str
    tier_total_cents: int
    rate_bp: int
    bonus_cents: int
    fuel_bonus_cents: int
    payment_method_benefit_cents: int
    next_threshold_cents: int | None
    cents_to_next_tier: int | None
    receipts: int


class StatementMember(Contract):
    """One member's share of the household's month (the household pools every member's purchases)."""

    person_id: str
    receipts: int
    bonus_eligible_cents: int


class StatementExclusion(Contract):
    """Excluded purchases of the month summed by reason (alcohol, gift_card, tobacco, ...)."""

    reason: str
    cents: int


class BonusStatement(Contract):
    """A household's closed month with its lineage: who bought, what counted, at which rate, what was
    excluded and why. Published once per household and month at the close (`statement_id` is stable; a
    re-sent statement has the same id). Amounts are those of the payout of the same month.
    `own_cooperative_eligible_cents` — the Bonus purchases at outlets of the household's own
    cooperative — is what the yearly return of surplus is computed from."""

    statement_id: str
    household_id: str
    month: str = Month
    cooperative_id: str = Field(description="the main member's cooperative, whose tier table applied")
    table_version: str = Field(description="the tier table version that priced the month")
    rate_bp: int
    tier_total_cents: int = Field(description="purchases counting toward the tier, fuel euros included")
    bonus_eligible_cents: int
    own_cooperative_eligible_cents: int
    fuel_cents: int
    fuel_millilitres: int
    payment_method_eligible_cents: int
    bonus_cents: int
    fuel_bonus_cents: int
    payment_method_benefit_cents: int
    adjustment_cents: int = Field(0, description="returns of closed months, at their recorded rates")
    receipts: int
    members: list[StatementMember]
    excluded: list[StatementExclusion] = []
