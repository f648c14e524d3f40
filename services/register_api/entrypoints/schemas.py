"""Request bodies of the register API: strict (unknown fields are an error), bounded, and made of the same
field types as the commands they become."""
from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from contracts.events.consent import Block, Choice, PermissionChannel
from contracts.events.fields import Language, MessageId, MunicipalityCode, PersonName
from contracts.events.membership import (
    AccountType,
    AddressInput,
    JoiningOutletCorrection,
    Removable,
    StaffEmploymentCorrection,
    TemporaryAddressInput,
    Unchecked,
)

# Characters no field of the register may hold: control characters (NUL, which PostgreSQL refuses in text,
# so a command carrying one is dead-lettered after the customer was told it worked; newlines and the like),
# lone surrogates (not UTF-8) and the bidirectional overrides that make text read other than it is.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def _refusable(char: str) -> bool:
    return char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs")


def _strings_in(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings_in(key)
            yield from _strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings_in(item)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        """Refused here with a 422 rather than accepted and then rejected downstream; the value is not
        echoed (it may be personal data)."""
        if any(_refusable(char) for text in _strings_in(data) for char in text):
            raise ValueError("a text holds a control, surrogate or bidirectional-override character")
        return data


class PersonSearch(Body):
    """Exactly one of: customer number, card (or member) number, identity code. Sent in a body, never in a
    URL, so no identifier lands in an access log."""

    customer_number: int | None = Field(None, ge=1, le=10**12)
    card_number: str | None = Field(None, pattern=r"^[0-9]{6,19}$")
    identity_code: str | None = Field(None, min_length=11, max_length=11, pattern=r"^[0-9A-Za-z+-]{11}$")
    household_id: str | None = Field(None, pattern=r"^[A-Za-z0-9._:-]{1,64}$",
                                     description="a member of the household, to read the household through")

    @model_validator(mode="after")
    def _exactly_one(self) -> "PersonSearch":
        given = (self.customer_number, self.card_number, self.identity_code, self.household_id)
        if sum(v is not None for v in given) != 1:
            raise ValueError("give exactly one of customer_number, card_number, identity_code, household_id")
        return self


class BenefitAccountChange(Body):
    """The member's benefit payment account at S-Bank from now on; the previous one is kept as history."""

    iban: Unchecked
    account_type: AccountType = "current_account"


class ContactChange(Body):
    """Rectified contact data; a field left out is unchanged, `removed` removes one."""

    address: AddressInput | None = None
    temporary_address: TemporaryAddressInput | None = None
    home_municipality: MunicipalityCode | None = None
    mobile_phone: Unchecked | None = None
    other_phone: Unchecked | None = None
    email: Annotated[str, Field(min_length=3, max_length=254)] | None = None
    language: Language | None = None
    removed: list[Removable] = Field([], max_length=4)

    @model_validator(mode="after")
    def _something(self) -> "ContactChange":
        if not self.model_dump(exclude_defaults=True):
            raise ValueError("name at least one field to change")
        return self


class PersonalDataChange(Body):
    """Rectified personal data (seed §11); a field left out is unchanged. A `name` is refused with the reason
    `name_from_population_register` (names come only from the population register), `staff_employment` from
    the customer with `staff_data_from_hr_register` (staff data come from the HR register Hertta) and from
    staff without the role that corrects them with a 403."""

    name: PersonName | None = None
    children_birth_years: list[Annotated[int, Field(ge=1900, le=2200)]] | None = Field(
        None, max_length=20, description="birth years of the children living at home; [] none")
    joining_outlet: JoiningOutletCorrection | None = None
    staff_employment: StaffEmploymentCorrection | None = None

    @model_validator(mode="after")
    def _something(self) -> "PersonalDataChange":
        if not self.model_dump(exclude_none=True):
            raise ValueError("name at least one field to change")
        return self


class MarketingProhibition(Body):
    prohibited: bool


class BlockChange(Body):
    block: Block
    blocked: bool


class PermissionChange(Body):
    channel: PermissionChannel
    granted: bool


class ChoiceChange(Body):
    """A service the customer asks for (`e_receipts`: electronic receipts), chosen or withdrawn."""

    choice: Choice
    chosen: bool


class Invitation(Body):
    invitee_person_id: MessageId


class Registration(Body):
    """A validity period `[valid_from, valid_to)`: from now when `valid_from` is left out, open-ended when
    `valid_to` is."""

    valid_from: AwareDatetime | None = None
    valid_to: AwareDatetime | None = None


class PartnerRegistration(Registration):
    partner_id: Unchecked = Field(description="the partner as registered with S-Group, e.g. elisa "
                                              "(2–32 of a-z, 0-9, -)")


class SupporterGroup(Registration):
    group_id: Unchecked = Field(description="the association's supporter group, e.g. hifk-juniorit "
                                            "(2–32 of a-z, 0-9, -)")


class HouseholdGroup(Body):
    """The household's customer group from `valid_from` (now when left out); `group_id` null ends the
    current one."""

    group_id: Unchecked | None = Field(description="2–32 of a-z, 0-9, -; null: no customer group")
    valid_from: AwareDatetime | None = None


ExtractFormat = Literal["json", "html"]


class CampaignCreation(Body):
    """A Double Bonus campaign: twice the month's Bonus % on Bonus purchases at its outlets in
    `[starts_at, ends_at)`; it starts at least two minutes from now and never reaches back."""

    campaign_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="chosen by finance staff; unique")
    cooperative_id: str = Field(min_length=1, max_length=64, description="the cooperative running it")
    name: str = Field(min_length=1, max_length=200)
    outlet_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=1000)
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class CampaignEnd(Body):
    """When the campaign ends: now when left out; a campaign not yet started is called off."""

    ends_at: AwareDatetime | None = None


class AuthorityDisclosure(Body):
    """What was disclosed to an authority on its lawful request: to whom (a registered authority), which fields
    or data groups (names, never values), on what legal basis, under the request's reference, and when (now
    when left out)."""

    recipient: str = Field(pattern=r"^[a-z0-9-]{2,40}$", description="an authority of the recipient registry, "
                                                                      "e.g. police, customs, enforcement-authority")
    data: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        min_length=1, max_length=50, description="sections or `section.field`, e.g. contact.email, purchases")
    legal_basis: str = Field(min_length=3, max_length=300, description="the provision the request relies on, "
                                                                       "e.g. Police Act 872/2011 4:3")
    reference: str = Field(min_length=1, max_length=100, description="the authority's reference of the request")
    disclosed_at: AwareDatetime | None = None
