"""Bonus events: payouts (`bonus.payouts.v1`), the month close command and the close report."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from contracts.events.common import Contract

Month = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="calendar month in Europe/Helsinki, YYYY-MM")


class BonusPayout(Contract):
    """One transaction to the main member's benefit payment account (or to the open contribution)."""

    payout_id: str
    household_id: str
    month: str = Month
    kind: Literal["bonus", "payment_method_benefit", "fuel_bonus", "adjustment", "contribution_payment"]
    amount_cents: int
    currency: Literal["EUR"] = "EUR"
    rate_bp: int = Field(description="the household's Bonus % of the month in basis points (500 = 5 %)")
    due_on: date


class CloseBonusMonth(Contract):
    month: str = Month


class BonusMonthClosed(Contract):
    month: str = Month
    households: int
    payouts: int
    paid_cents: int
