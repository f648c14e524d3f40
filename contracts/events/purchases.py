"""`purchases.accepted.v1`: an identified purchase resolved to its household, keyed by household id."""
from __future__ import annotations

from pydantic import AwareDatetime, Field

from contracts.events.common import Contract


class Exclusion(Contract):
    line_no: int | None
    reason: str
    cents: int


class PurchaseAccepted(Contract):
    receipt_id: str
    household_id: str
    person_id: str
    cooperative_id: str = Field(description="the household's cooperative at purchase time")
    outlet_id: str
    outlet_cooperative_id: str | None = Field(
        None, description="the cooperative that runs the outlet (surplus return counts purchases at the "
                          "household's own cooperative's outlets); absent from events of before 2026-11")
    chain: str
    purchased_at: AwareDatetime
    total_cents: int
    bonus_eligible_cents: int
    fuel_cents: int
    fuel_millilitres: int
    payment_method_eligible_cents: int
    excluded: list[Exclusion] = Field(
        [], description="what was kept out of Bonus and why: a line (line_no, its category as the reason) or the "
                        "receipt as a whole (line_no null); under the household's no-collection block only the "
                        "latter, never a line or its category")
    return_of: str | None = None
