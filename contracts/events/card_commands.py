"""`cards.commands.v1`: the card operations, told apart by `command`.

Card numbers, member numbers, S-codes and customer codes travel in clear on this topic only: the cards
service turns a number into its keyed token at once, keeps a customer code only as a salted hash, and logs
none of them. Times are when the change took effect (a household change: when the invitation was
accepted); a change is never dated before the card's last recorded one.

A message without `command` is an `IssueCard`: that was the topic's only payload before the union.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import AwareDatetime, ConfigDict, Field, RootModel, model_validator

from contracts.events.cards import IssueCard, IssuedCardType
from contracts.events.common import Contract

CardNumber = Annotated[str, Field(pattern=r"^[0-9]{12,19}$", repr=False,
                                  description="digits only, Luhn check digit last; never logged or stored")]
RequestableBlockReason = Literal["lost", "stolen", "suspected_misuse", "temporary_by_owner",
                                 "holder_left_household", "owner_request"]


class IssueDigitalToken(Contract):
    """Command: issue a wallet token or mobile barcode for a plastic card; it identifies the same person."""

    command: Literal["issue_digital_token"]
    token_number: CardNumber
    parent_card_number: CardNumber
    issued_at: AwareDatetime


class BlockCard(Contract):
    """Command: block a card. Lost, stolen, suspected misuse and the owner's request block it for good; a
    temporary block by the owner becomes permanent after three months unless lifted; a holder who left the
    household loses the payment features (a cash card only leaves the household)."""

    command: Literal["block_card"]
    card_number: CardNumber
    reason: RequestableBlockReason
    blocked_at: AwareDatetime


class LiftCardBlock(Contract):
    """Command: reactivate a temporarily blocked card within three months of the block."""

    command: Literal["lift_card_block"]
    card_number: CardNumber
    lifted_at: AwareDatetime


class ReplaceCard(Contract):
    """Command: a new card takes over from the old one (lost, damaged or renewed); the two are linked."""

    command: Literal["replace_card"]
    card_number: CardNumber
    new_card_number: CardNumber
    new_card_type: IssuedCardType | None = Field(None, description="none: the same type as the old card")
    replaced_at: AwareDatetime


class ExpireCards(Contract):
    """Command: as of `as_of`, close lapsed temporary blocks and expire every card past its validity (the
    cards service also does this on its own schedule)."""

    command: Literal["expire_cards"]
    as_of: AwareDatetime


class ReallocateCards(Contract):
    """Command: the person moved household when they accepted the invitation (or left and joined none):
    from `accepted_at` on, never earlier, the Bonus purchases of all their cards and their member number
    go to the new household."""

    command: Literal["reallocate_cards"]
    person_id: str
    household_id: str | None = Field(description="none: the person left and is in no household")
    cooperative_id: str | None = Field(None, description="the new household's cooperative; none: unchanged")
    membership_id: str | None = Field(None, description="none: unchanged")
    accepted_at: AwareDatetime


class RegisterMemberNumber(Contract):
    """Command: the person's member (customer) number, used online and with partners; a separate
    identifier from the card numbers, with its own allocation history on `cards.card.v1`."""

    command: Literal["register_member_number"]
    member_number: str = Field(pattern=r"^[0-9]{6,19}$", repr=False, description="never logged or stored")
    person_id: str
    household_id: str | None
    cooperative_id: str
    membership_id: str
    valid_from: AwareDatetime


class SetCustomerCode(Contract):
    """Command: the person's 4-digit customer code for S-Etukortti terminals (stored as a salted hash)."""

    command: Literal["set_customer_code"]
    person_id: str
    customer_code: str = Field(pattern=r"^[0-9]{4}$", repr=False, description="never logged or stored")
    set_at: AwareDatetime


class SetSCode(Contract):
    """Command: the person's S-code, the user name they log in with (case-insensitive, unique)."""

    command: Literal["set_s_code"]
    person_id: str
    s_code: str = Field(min_length=3, max_length=254, pattern=r"^\S+$", repr=False)
    set_at: AwareDatetime


Command = Union[IssueCard, IssueDigitalToken, BlockCard, LiftCardBlock, ReplaceCard, ExpireCards,
                ReallocateCards, RegisterMemberNumber, SetCustomerCode, SetSCode]


def _object_schema(schema: dict[str, Any]) -> None:
    """An object whose field names are those of the commands; `oneOf` checks each command exactly."""
    fields = {name for model in get_args(Command) for name in model.model_fields}
    schema.update(type="object", additionalProperties=False, properties={name: {} for name in sorted(fields)})


class CardCommand(RootModel[Annotated[Command, Field(discriminator="command")]]):
    """One card operation on `cards.commands.v1` (key: the person id)."""

    model_config = ConfigDict(frozen=True, json_schema_extra=_object_schema)

    @model_validator(mode="before")
    @classmethod
    def _issue_card_by_default(cls, data: Any) -> Any:
        if isinstance(data, dict) and "command" not in data:
            return {**data, "command": "issue_card"}
        return data
