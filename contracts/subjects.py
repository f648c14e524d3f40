"""The services' subject endpoint: how the register API reads a service's part of a person.

Each service answers `POST /subjects/<query>` beside its `/health` and `/metrics`, in its own process and
against its own schema, with a JSON body of the query's request model and a JSON answer of its response
model. The caller authenticates with a short-lived bearer token signed with the deployment's service token
key (`shared.subject_endpoint`). Reads go over HTTP rather than Kafka so that a person's data never lands in
a log that outlives the request; erasure and retention, which must survive a service being down, go over
Kafka (`contracts.events.privacy`).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator


class Query(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindPerson(Query):
    """Exactly one of: customer number, identity code or household (membership: a member to read the household
    through), card or member number (cards)."""

    customer_number: int | None = Field(None, ge=1)
    identity_code: str | None = Field(None, min_length=11, max_length=11)
    card_number: str | None = Field(None, min_length=4, max_length=32)
    household_id: str | None = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _exactly_one(self) -> "FindPerson":
        given = (self.customer_number, self.identity_code, self.card_number, self.household_id)
        if sum(v is not None for v in given) != 1:
            raise ValueError("give exactly one of customer_number, identity_code, card_number, household_id")
        return self


class FoundPerson(Query):
    person_id: str | None
    invalid: str | None = Field(None, description="why the identifier cannot be anyone's (a 422 at the API)")


class HouseholdPeriod(Query):
    household_id: str
    valid_from: AwareDatetime
    valid_to: AwareDatetime | None = None


class PartRequest(Query):
    """A person's part: `household_periods` and `household_id` are what membership said of them, for the
    services that keep data by household (Bonus)."""

    person_id: str = Field(min_length=1, max_length=64)
    household_periods: list[HouseholdPeriod] = Field(default_factory=list)
    household_id: str | None = None
    at: AwareDatetime | None = Field(None, description="now, for the month so far")


class Part(Query):
    """The service's sections of the extract, as it renders them; None when it knows nobody of that id."""

    sections: dict[str, Any] | None


class PersonQuery(Query):
    person_id: str = Field(min_length=1, max_length=64)
    invitation_id: str | None = None


class PersonFacts(Query):
    """What the API must know of a person before it accepts a change or an erasure (membership)."""

    known: bool
    relationship_active: bool = False
    household_key: str | None = Field(None, description="the key of household commands for this person "
                                      "(the invitation's household when an invitation id was given)")


class CommandCheck(Query):
    """A command for the service's topic, to be checked by the service's own rules before it is sent."""

    command: dict[str, Any]


class CheckResult(Query):
    violation: str | None = None
    message: str | None = None


class HouseholdMonth(Query):
    """A household's Helsinki calendar month (`YYYY-MM`): whose it was (membership) and its Bonus (bonus)."""

    household_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$")


class HouseholdMembers(Query):
    """The persons who belonged to the household at any time in the month: whose data its Bonus is, for the
    audit log. `known` False: no such household."""

    known: bool
    person_ids: list[str] = Field(default_factory=list)


class HouseholdBonus(Query):
    """The bonus service's answer about a household's month, as it renders it; None when it has nothing."""

    bonus: dict[str, Any] | None


class TaxReportQuery(Query):
    year: int = Field(ge=2000, le=2200)


class TaxReport(Query):
    """A stored tax authority report, opened for the finance role (membership); None when none was written."""

    report: dict[str, Any] | None
class ReceiptIssuesRequest(Query):
    """Operators' view of the receipts that did not simply go through (purchases): not about one person."""

    conflicts_limit: int = Field(100, ge=0, le=10_000, description="how many of the latest conflicts to list")


class ReceiptConflict(Query):
    """A receipt id sent again with other content: flagged, never merged (the first content stands)."""

    receipt_id: str
    outlet_id: str | None = Field(None, description="the outlet of the receipt that was stored under the id")
    seen_at: AwareDatetime


class UnresolvedReceipts(Query):
    """Receipts held unresolved (their card or member number is not known at purchase time), by outlet and age
    (`under_1_day`, `1_to_7_days`, `over_7_days`: since the purchase); `expired`: past the parking horizon."""

    outlet_id: str
    age: str
    receipts: int
    expired: int
    oldest_purchased_at: AwareDatetime


class ReceiptIssues(Query):
    conflicts_total: int
    conflicts: list[ReceiptConflict]
    unresolved_total: int
    unresolved: list[UnresolvedReceipts]


class StaffDiscountsRequest(Query):
    """Staff's review of the staff discounts given at the tills (purchases): not about one person."""

    flagged_only: bool = Field(False, description="only those given to someone without the right to it")
    limit: int = Field(100, ge=0, le=10_000, description="how many of the latest to list")


class StaffDiscount(Query):
    """A staff discount on a receipt; `flagged` when the customer had no right to it as HR last told (null: the
    receipt is not resolved to a person yet). No person or identifier: the receipt id is the POS's own."""

    receipt_id: str
    outlet_id: str
    chain: str
    purchased_at: AwareDatetime
    staff_discount_cents: int
    flagged: bool | None


class StaffDiscounts(Query):
    total: int
    discounts: list[StaffDiscount]


class CampaignsRequest(Query):
    """Finance staff's view of the Double Bonus campaigns (bonus): not about a person."""

    campaign_id: str | None = Field(None, min_length=1, max_length=64, description="that campaign only")
    cooperative_id: str | None = Field(None, min_length=1, max_length=64)
    current_only: bool = Field(False, description="only those planned or running, not those ended or called off")
    limit: int = Field(200, ge=1, le=1000)


class CampaignView(Query):
    campaign_id: str
    cooperative_id: str
    name: str
    outlet_ids: list[str]
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    created_at: AwareDatetime
    ended_early_at: AwareDatetime | None = Field(None, description="when an end command moved the end earlier")
    status: str = Field(description="planned, running, ended, or called_off (ended before it started)")


class Campaigns(Query):
    campaigns: list[CampaignView]


# query name -> (request model, response model); a service answers those it has.
QUERIES: dict[str, tuple[type[Query], type[Query]]] = {
    "find": (FindPerson, FoundPerson),
    "part": (PartRequest, Part),
    "facts": (PersonQuery, PersonFacts),
    "check": (CommandCheck, CheckResult),
    "household_members": (HouseholdMonth, HouseholdMembers),
    "household_bonus_explained": (HouseholdMonth, HouseholdBonus),
    "household_bonus_month_to_date": (HouseholdMonth, HouseholdBonus),
    "tax_report": (TaxReportQuery, TaxReport),
    "receipt_issues": (ReceiptIssuesRequest, ReceiptIssues),
    "staff_discounts": (StaffDiscountsRequest, StaffDiscounts),
    "campaigns": (CampaignsRequest, Campaigns),
}
# What each service answers.
ANSWERS: dict[str, tuple[str, ...]] = {
    "membership": ("find", "part", "facts", "check", "household_members", "tax_report"),
    "cards": ("find", "part"),
    "purchases": ("part", "receipt_issues", "staff_discounts"),
    "bonus": ("part", "check", "household_bonus_explained", "household_bonus_month_to_date", "campaigns"),
    "consent": ("part",),
    "digital": ("part",),
}


def periods_of(history: list[dict[str, Any]]) -> list[HouseholdPeriod]:
    return [HouseholdPeriod(household_id=p["household_id"], valid_from=_aware(p["valid_from"]),
                            valid_to=_aware(p["valid_to"]) if p.get("valid_to") else None) for p in history]


def _aware(value: str | datetime) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value
