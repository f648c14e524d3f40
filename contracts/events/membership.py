"""The membership service's contracts: its commands and the state it publishes.

- `membership.commands.v1` (`MembershipCommand`): what customer service, the register API and operators
  ask of the register, one command per message, told apart by `command`. Keyed by the person the command
  is about (household commands: the main member), so one customer's commands stay in order.
- `membership.households.v1` (`HouseholdState`, compacted, key household id): a household's current
  state with its member history. The bonus service reads the cooperative and the open contribution; the
  cards service reallocates a member's cards at `joined_at` and ends payment features at `left_at` and
  when the household is `dissolved`.
- `membership.persons.v1` (`PersonState`, compacted, key person id): pseudonymous person state for the
  other services: never an identity code, a name or contact data.

Identity codes, phones, e-mail addresses, IBANs and postal addresses in commands are checked by the
service, not by this schema, so a wrong one is dead-lettered with a specific reason
(`invalid_identity_code`, `invalid_phone`, `invalid_email`, `invalid_iban`, `invalid_address`). Other
reasons: `unknown_person`, `person_already_registered`, `person_deceased`, `unknown_cooperative`,
`already_a_member`, `not_a_member`, `benefit_account_required`, `first_payment_too_small`,
`contribution_overdue`, `contribution_fully_paid`, `person_already_in_household`, `not_main_member`,
`unknown_invitation`, `invitation_not_pending`, `invitation_for_another_person`, `household_dissolved`,
`adult_must_accept_invitation`, `minor_must_be_added_by_main_member`, `not_in_household`,
`main_member_cannot_leave`, `not_allowed_to_remove_member`, `same_cooperative`, `invalid_payment_amount`,
`duplicate_id` (an id of a new thing that is taken).

Rectification (`RectifyPersonalData`, `UpdateContactData`, `ChangeBenefitAccount`) names who asked for it
(`customer`: the customer themselves; `staff`: the register keeper's staff for them), and the register keeps
that source with each value's history. Its reasons: `name_from_population_register` (names, like the identity
code, come only from the population register: a customer or staff change is refused), `staff_data_from_hr_register`
(a customer's change of their staff data: they come from the HR register Hertta), `invalid_children_birth_years`
(a year in the future), `unknown_employment`, `not_a_member` (no membership whose joining outlet to correct),
`nothing_to_rectify`.

Partner registrations, supporter groups of associations and the household's customer group are kept over
time as validity periods `[valid_from, valid_to)`; their reasons: `invalid_partner_id`, `invalid_group_id`
(not 2–32 of `a-z`, `0-9`, `-`), `invalid_validity` (ends before it starts, or before the household was
founded), `overlapping_validity` (another period of the same partner or group, or a household group change
dated before the current group's start), `not_registered` (nothing in force to end), `unknown_household`,
and `not_in_household` (only owner-customers and household members have them).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import AwareDatetime, ConfigDict, Field, RootModel

from contracts.events.common import Contract
from contracts.events.fields import Language, MessageId, MunicipalityCode, PersonName

Id = MessageId
Unchecked = Annotated[str, Field(min_length=1, max_length=64,
                                 description="checked by the service; a bad value is dead-lettered with a "
                                             "specific reason, and never echoed")]
Removable = Literal["temporary_address", "mobile_phone", "other_phone", "email"]
ChangedBy = Literal["customer", "staff"]  # the customer themselves, or the register keeper's staff for them
AccountType = Literal["current_account", "savings_account"]


class AddressInput(Contract):
    street: Unchecked
    postal_code: Unchecked
    city: Unchecked
    country_code: Unchecked = "FI"


class TemporaryAddressInput(AddressInput):
    valid_until: date | None = None


class BenefitAccountInput(Contract):
    iban: Unchecked
    account_type: AccountType = "current_account"


class AgreementAcceptance(Contract):
    """The customer's acceptance of the owner-customer agreement when joining (seed §6: the register's data
    come from the agreement the customer made): which terms, when and how."""

    terms_version: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,40}$")] | None = Field(
        None, description="the version of the terms the customer was shown; left out: the version the register "
                          "has in force (COOPREG_MEMBERSHIP_AGREEMENT_TERMS_VERSION)")
    accepted_at: AwareDatetime
    channel: Literal["online", "service_point", "customer_service_phone", "sbank", "other"]


class RegisterCustomer(Contract):
    """A new customer (owner-customer to be, household member or other customer)."""

    command: Literal["register_customer"] = "register_customer"
    person_id: Id = Field(description="chosen by the sender (a UUID); later commands name the person by it")
    identity_code: Unchecked
    name: PersonName
    language: Language = "fi"
    address: AddressInput | None = Field(None, description="permanent postal address")
    home_municipality: MunicipalityCode | None = None
    mobile_phone: Unchecked | None = None
    other_phone: Unchecked | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    marketing_prohibition: bool = False
    children_birth_years: list[Annotated[int, Field(ge=1900, le=2200)]] = Field([], max_length=20)
    sbank_customer_ref: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$")] | None = None
    registered_at: AwareDatetime


class JoinCooperative(Contract):
    """The customer becomes a member: pays (part of) the contribution and names the benefit account."""

    command: Literal["join_cooperative"] = "join_cooperative"
    person_id: Id
    cooperative_id: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,32}$")]
    membership_id: Id
    household_id: Id
    joining_outlet: Annotated[str, Field(max_length=32)] | None = None
    agreement: AgreementAcceptance | None = Field(
        None, description="the owner-customer agreement the customer accepted by joining; left out (senders "
                          "before it): accepted at `joined_at` under the terms in force, channel not recorded")
    first_payment_id: Id
    first_payment_cents: int = Field(description="at least the cooperative's minimum (20 €)")
    benefit_account: BenefitAccountInput | None = Field(None, description="required: joining needs one")
    sbank_customer_ref: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{4,40}$")] | None = None
    joined_at: AwareDatetime


class PayContribution(Contract):
    command: Literal["pay_contribution"] = "pay_contribution"
    person_id: Id
    payment_id: Id = Field(description="unique per payment; a repeated id is booked once")
    amount_cents: int
    source: Literal["payment", "bonus"] = "payment"
    paid_at: AwareDatetime


class InviteToHousehold(Contract):
    command: Literal["invite_to_household"] = "invite_to_household"
    invitation_id: Id
    main_member_person_id: Id
    invitee_person_id: Id
    invited_at: AwareDatetime


class AcceptInvitation(Contract):
    command: Literal["accept_invitation"] = "accept_invitation"
    invitation_id: Id
    person_id: Id
    accepted_at: AwareDatetime


class AddMinor(Contract):
    command: Literal["add_minor"] = "add_minor"
    main_member_person_id: Id
    person_id: Id
    added_at: AwareDatetime


class LeaveHousehold(Contract):
    """A member leaves (`actor_person_id` = the member) or the main member removes them."""

    command: Literal["leave_household"] = "leave_household"
    person_id: Id
    actor_person_id: Id
    left_at: AwareDatetime


class TransferMembership(Contract):
    """The membership moves to another cooperative with its contribution; the whole month counts there."""

    command: Literal["transfer_membership"] = "transfer_membership"
    person_id: Id
    to_cooperative_id: Annotated[str, Field(pattern=r"^[a-z0-9-]{2,32}$")]
    new_membership_id: Id
    transferred_at: AwareDatetime


class Resign(Contract):
    command: Literal["resign"] = "resign"
    person_id: Id
    resigned_at: AwareDatetime


class UpdateContactData(Contract):
    """A change made by the customer with an S-Group company; a field left out is unchanged."""

    command: Literal["update_contact_data"] = "update_contact_data"
    person_id: Id
    address: AddressInput | None = None
    temporary_address: TemporaryAddressInput | None = None
    home_municipality: MunicipalityCode | None = None
    mobile_phone: Unchecked | None = None
    other_phone: Unchecked | None = None
    email: Annotated[str, Field(max_length=254)] | None = None
    language: Language | None = None
    marketing_prohibition: bool | None = None
    removed: list[Removable] = Field([], max_length=4)
    changed_by: ChangedBy = Field(
        "customer", description="the customer themselves, or the register keeper's staff for them (the source "
                                "kept with the values)")
    updated_at: AwareDatetime


class RegisterWithPartner(Contract):
    """The customer gave their member or customer number to a Bonus-granting partner (an invoicing partner
    needs it to pass the purchases on for Bonus); registered for `[valid_from, valid_to)`."""

    command: Literal["register_with_partner"] = "register_with_partner"
    person_id: Id
    partner_id: Unchecked = Field(description="the partner as registered with S-Group, e.g. elisa")
    valid_from: AwareDatetime
    valid_to: AwareDatetime | None = Field(None, description="open-ended when left out")


class EndPartnerRegistration(Contract):
    """The registration with the partner in force at `ended_at` ends then."""

    command: Literal["end_partner_registration"] = "end_partner_registration"
    person_id: Id
    partner_id: Unchecked
    ended_at: AwareDatetime


class JoinSupporterGroup(Contract):
    """The person joins an association's supporter group for `[valid_from, valid_to)`."""

    command: Literal["join_supporter_group"] = "join_supporter_group"
    person_id: Id
    group_id: Unchecked = Field(description="the association's supporter group, e.g. hifk-juniorit")
    valid_from: AwareDatetime
    valid_to: AwareDatetime | None = Field(None, description="open-ended when left out")


class LeaveSupporterGroup(Contract):
    command: Literal["leave_supporter_group"] = "leave_supporter_group"
    person_id: Id
    group_id: Unchecked
    left_at: AwareDatetime


class ChangeBenefitAccount(Contract):
    """The member's benefit payment account changes from `changed_at` on (the customer, or staff for them);
    the previous one is kept as history. Payouts go to the account in force when they are paid."""

    command: Literal["change_benefit_account"] = "change_benefit_account"
    person_id: Id
    benefit_account: BenefitAccountInput
    changed_by: ChangedBy = "customer"
    changed_at: AwareDatetime


class JoiningOutletCorrection(Contract):
    membership_id: Id | None = Field(None, description="left out: the person's active membership")
    outlet: Annotated[str, Field(min_length=1, max_length=32)] | None = Field(
        None, description="the outlet where the member joined; null: not known")


class StaffEmploymentCorrection(Contract):
    """A correction of one employment from the HR register Hertta, named by employer and start; a later
    update from Hertta supersedes it."""

    employer: Annotated[str, Field(min_length=1, max_length=64)]
    employment_start: date
    employment_end: date | None = None
    staff_discount: bool


class RectifyPersonalData(Contract):
    """A correction of the person's data (seed §11) asked by the customer, or made by the register keeper's
    staff for them; a field left out is unchanged. Contact data, language and the marketing prohibition are
    `UpdateContactData`, the benefit account `ChangeBenefitAccount`, the household its own commands.

    Names come only from the population register: a `name` here is always refused
    (`name_from_population_register`); so is a customer's `staff_employment` (`staff_data_from_hr_register`)."""

    command: Literal["rectify_personal_data"] = "rectify_personal_data"
    person_id: Id
    changed_by: ChangedBy = "customer"
    name: PersonName | None = Field(None, description="always refused: names come from the population register")
    children_birth_years: list[Annotated[int, Field(ge=1900, le=2200)]] | None = Field(
        None, max_length=20, description="birth years of the children living at home; [] none")
    joining_outlet: JoiningOutletCorrection | None = None
    staff_employment: StaffEmploymentCorrection | None = None
    rectified_at: AwareDatetime


class SetHouseholdGroup(Contract):
    """The household's customer group from `valid_from` on: one at a time, the previous one ends there.
    Keyed by the household's main member, like the other household commands."""

    command: Literal["set_household_group"] = "set_household_group"
    household_id: Id
    group_id: Unchecked | None = Field(None, description="left out: the household's current group ends")
    valid_from: AwareDatetime


Command = Union[RegisterCustomer, JoinCooperative, PayContribution, InviteToHousehold, AcceptInvitation,
                AddMinor, LeaveHousehold, TransferMembership, Resign, UpdateContactData, RegisterWithPartner,
                EndPartnerRegistration, JoinSupporterGroup, LeaveSupporterGroup, SetHouseholdGroup,
                ChangeBenefitAccount, RectifyPersonalData]


def _object_schema(schema: dict[str, Any]) -> None:
    """An object whose field names are those of the commands; `oneOf` checks each command exactly."""
    fields = {name for model in get_args(Command) for name in model.model_fields}
    schema.update(type="object", required=["command"], additionalProperties=False,
                  properties={name: {} for name in sorted(fields)})


class MembershipCommand(RootModel[Annotated[Command, Field(discriminator="command")]]):
    model_config = ConfigDict(frozen=True, json_schema_extra=_object_schema)
