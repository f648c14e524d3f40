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
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import AwareDatetime, ConfigDict, Field, RootModel

from contracts.events.common import Contract
from contracts.events.fields import Language, MessageId, MunicipalityCode, PersonName

Id = MessageId
Unchecked = Annotated[str, Field(min_length=1, max_length=64,
                                 description="checked by the service; a bad value is dead-lettered with a "
                                             "specific reason, and never echoed")]
Removable = Literal["temporary_address", "mobile_phone", "other_phone", "email"]


class AddressInput(Contract):
    street: Unchecked
    postal_code: Unchecked
    city: Unchecked
    country_code: Unchecked = "FI"


class TemporaryAddressInput(AddressInput):
    valid_until: date | None = None


class BenefitAccountInput(Contract):
    iban: Unchecked
    account_type: Literal["current_account", "savings_account"] = "current_account"


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
    updated_at: AwareDatetime


Command = Union[RegisterCustomer, JoinCooperative, PayContribution, InviteToHousehold, AcceptInvitation,
                AddMinor, LeaveHousehold, TransferMembership, Resign, UpdateContactData]


def _object_schema(schema: dict[str, Any]) -> None:
    """An object whose field names are those of the commands; `oneOf` checks each command exactly."""
    fields = {name for model in Command.__args__ for name in model.model_fields}
    schema.update(type="object", required=["command"], additionalProperties=False,
                  properties={name: {} for name in sorted(fields)})


class MembershipCommand(RootModel[Annotated[Command, Field(discriminator="command")]]):
    model_config = ConfigDict(frozen=True, json_schema_extra=_object_schema)
