"""What the membership service publishes (the commands are in `contracts.events.membership`).

- `membership.households.v1` (`HouseholdState`, compacted, key household id): the household's current
  state and its whole member history. Consumers keep the highest `version` per household.
  * bonus: `cooperative_id` from `cooperative_from` (the first instant of the transfer month in
    Europe/Helsinki: a transfer puts the whole month in the new cooperative) and
    `open_contribution_cents` (Bonus pays the open contribution first);
  * cards: a member's cards are allocated to the household from `joined_at` (acceptance time, never the
    invitation) to `left_at`; payment features end at `left_at`, and for everyone at `dissolved_at`.
- `membership.persons.v1` (`PersonState`, compacted, key person id): the pseudonymous state other services
  need; no identity code, name, address, phone or e-mail ever. The consent service also reads address
  protection, the home municipality (left out under address protection), the birth year (age bands),
  S-Bank's reference (the two-way consent exchange) and where the marketing prohibition came from. The
  purchases service reads the partner registrations with their validity (partner purchases earn Bonus only
  for a registered customer).
- `membership.benefits.v1` (`MemberBenefitPayout`, key person id): interest on the contribution, return of
  surplus and contribution refunds to the member's benefit payment account at S-Bank.
- `membership.bonus-returns.v1` (`BonusCreditReturned`, key household id): Bonus the bonus service applied to
  a household's open capital contribution that the membership service could not apply (already paid,
  partly paid, the membership ended meanwhile): the bonus service pays it to the household in cash.
- `membership.tax-reports.v1` (`TaxReportWritten`, key year): the yearly report to the tax authority was
  written (interest per member, capital refunded to departed members); totals only, the file holds the rest.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.events.common import Contract
from contracts.events.fields import MunicipalityCode

MembershipStatus = Literal["active", "resigned", "terminated_unpaid", "transferred", "deceased"]


class HouseholdMember(Contract):
    person_id: str
    role: Literal["main_member", "member"]
    joined_by: Literal["founded", "accepted_invitation", "added_by_main_member"]
    joined_at: AwareDatetime
    left_at: AwareDatetime | None = None
    left_because: Literal["left", "removed", "dissolved", "deceased"] | None = None


class BenefitAccountRef(Contract):
    """The main member's benefit payment account at S-Bank, as payouts name it. The IBAN is never in clear
    outside the membership service: `iban_sealed` is it sealed (AES-256-GCM, base64, `shared.subject_keys`)
    under the data key of the person `sealed_for`, the key id S-Bank opens it with through the register's
    key service; an erasure destroys the key, and with it every copy of the IBAN in the logs.
    `account_ref` is a stable opaque id of this account (a keyed token, never reversible), the same as long as
    the account is unchanged, so a change of account shows without opening anything."""

    account_ref: str
    account_type: Literal["current_account", "savings_account"]
    last_four: str = Field(pattern=r"^[A-Z0-9]{4}$", description="what customer service reads out to the member")
    valid_from: AwareDatetime
    sealed_for: str = Field(description="the person whose key seals the IBAN (the key id)")
    iban_sealed: str = Field(description="base64 of the IBAN sealed under that person's key")


class HouseholdState(Contract):
    household_id: str
    version: int = Field(ge=1, description="grows by one with every change of this household")
    status: Literal["active", "dissolved"]
    main_member_person_id: str
    membership_id: str
    cooperative_id: str
    cooperative_from: AwareDatetime = Field(description="start of the Helsinki month the cooperative applies from")
    member_number: str
    membership_status: MembershipStatus
    open_contribution_cents: int = Field(ge=0)
    contribution_deadline: date
    founded_at: AwareDatetime
    dissolved_at: AwareDatetime | None = None
    members: list[HouseholdMember] = Field(min_length=1)
    benefit_account: BenefitAccountRef | None = Field(
        None, description="the main member's benefit payment account in force; absent: none on record (payouts "
                          "are held until there is one)")


class PartnerRegistration(Contract):
    """A period the person was registered with a Bonus-granting partner (gave it their member or customer
    number): `[valid_from, valid_to)`, open-ended while in force."""

    partner_id: str = Field(description="the partner as registered with S-Group, e.g. elisa")
    valid_from: AwareDatetime
    valid_to: AwareDatetime | None = None


class PersonState(Contract):
    person_id: str
    version: int = Field(ge=1)
    customer_kind: Literal["owner_customer", "household_member", "other_customer"]
    language: Literal["fi", "sv", "en"]
    deceased: bool
    marketing_prohibition: bool
    sbank_customer: bool
    staff_discount: bool
    household_id: str | None = None
    cooperative_id: str | None = None
    # Added for the consent service; absent (null) in states published before them.
    address_protection: bool | None = Field(None, description="non-disclosure (turvakielto) in force")
    home_municipality: MunicipalityCode | None = Field(None, description="never under address protection")
    birth_year: int | None = Field(None, ge=1850, le=2200)
    sbank_customer_ref: str | None = Field(None, pattern=r"^[A-Za-z0-9-]{4,40}$",
                                           description="S-Bank's reference of a shared customer")
    marketing_prohibition_source: Literal["customer", "sbank", "population_register"] | None = Field(
        None, description="where the last change of the marketing prohibition came from")
    # Added for the purchases service, which credits a partner purchase only under a registration in force
    # at purchase time (domain.md §1.5); absent (null) in states published before it.
    partner_registrations: list[PartnerRegistration] | None = Field(
        None, description="every registration with a Bonus-granting partner, ended ones included")


class MemberBenefitPayout(Contract):
    payout_id: str = Field(description="deterministic: a re-run pays nothing twice")
    kind: Literal["interest", "surplus_return", "contribution_refund"]
    person_id: str
    membership_id: str
    household_id: str | None = None
    cooperative_id: str
    financial_year: int | None = Field(None, description="the year decided on (interest, surplus)")
    amount_cents: int = Field(gt=0)
    currency: Literal["EUR"] = "EUR"
    due_on: date
    benefit_account: BenefitAccountRef | None = Field(None, description="the member's account when it was paid")


class BonusCreditReturned(Contract):
    """The part of a payout's `contribution_cents` the membership service could not apply to the capital
    contribution. The bonus service pays it to the household as a payout of its own (payout id
    `<payout_id>:returned`), so the withheld Bonus is never lost and households are paid in one place."""

    return_id: str = Field(description="deterministic (`return:<payout_id>`): a re-sent return is paid once")
    payout_id: str = Field(description="the payout (bonus.payouts.v1) whose contribution_cents it came from")
    household_id: str
    month: str = Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="the payout's month, YYYY-MM")
    contribution_cents: int = Field(gt=0, description="what the payout applied to the contribution")
    applied_cents: int = Field(ge=0, description="what the membership service booked on the contribution")
    returned_cents: int = Field(gt=0, description="contribution_cents - applied_cents: to be paid in cash")
    reason: str = Field(description="why it could not be applied: contribution_fully_paid (the rest, after a "
                        "partial application, or all of it), not_a_member, contribution_overdue, "
                        "unknown_household, ...")


class TaxReportWritten(Contract):
    year: int = Field(description="the calendar year of the payments")
    file_name: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    interest_recipients: int
    interest_cents: int
    refund_recipients: int
    refunded_cents: int
