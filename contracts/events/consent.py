"""The consent service's contracts: blocks, marketing permissions and segment definitions in; each
person's effective consent out.

- `consent.commands.v1` (`ConsentCommand`): one command per message, told apart by `command`. Blocks,
  permissions and choices are keyed by the person, segment commands by the segment name, so each stays in
  order. A choice is a service the customer asks for (e-receipts), the opposite of a block: off until chosen.
  Every block and permission change is kept as a consent receipt (who, what, source, collection point,
  when); the one with the latest `at` is in force, so a change that arrives late never overrides a
  newer one.
- `consent.states.v1` (`ConsentState`, compacted, key person id): the person's own blocks and
  permissions and what is in force for them, including the household's product-data blocks (a household
  member's block on product-level data covers the household's purchases). A tombstone: the person was
  erased.

Refusals go to `consent.commands.v1.dlq` with a reason: `schema_violation`, or `person_erased` (a
change for a person already erased), `unknown_segment` (retiring a segment never defined).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import AwareDatetime, ConfigDict, Field, RootModel, model_validator

from contracts.disclosures import RECIPIENTS, SEGMENT_RECIPIENT
from contracts.events.common import Contract
from contracts.events.fields import Language, MessageId, MunicipalityCode, Slug, Text
from contracts.events.marketing import SEGMENT_NAME, AgeBand, Channel

Block = Literal[
    "owner_customer_mail",      # the co-op member magazine and member mail
    "direct_mail",              # separate postal direct mailings
    "telemarketing",
    "surveys",                  # all surveys, panels included
    "warranty_receipts",        # electronic warranty receipts
    "product_data_targeting",   # product-level purchase data used to target marketing
    "product_data_services",    # product-level purchase data used in customer-specific services
    "email_messages",           # every e-mail message, also those tied to the customer relationship
    "mobile_messages",          # every message to the mobile phone (SMS), also those tied to the relationship
    "all_marketing",            # all direct marketing and surveys
    "product_data_collection",  # no collection of product-level purchase data at all
]
PermissionChannel = Literal["email", "sms"]
Choice = Literal[
    "e_receipts",  # electronic receipts of the purchases made with the person's card (purchases service)
]
ConsentSource = Literal["self_service", "customer_service", "sbank", "population_register", "register"]
Purpose = Literal["marketing", "survey", "member_mail", "customer_relationship", "warranty_receipt",
                  "personalised_service"]
SegmentAttribute = Literal["municipality", "age_band", "bonus_tier_bp"]
CustomerKind = Literal["owner_customer", "household_member", "other_customer"]
CollectionPoint = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._:/-]{0,63}$",
                                       description="where the change was made, e.g. s-mobiili, oma-s-kanava, "
                                                   "customer-service/phone, sbank")]
Actor = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$",
                             description="who made the change: `customer`, or a staff user's opaque id")]


class SetBlock(Contract):
    """Switch one block on (`blocked` true) or off for a person."""

    command: Literal["set_block"] = "set_block"
    person_id: MessageId
    block: Block
    blocked: bool
    source: ConsentSource
    collection_point: CollectionPoint
    actor: Actor = "customer"
    at: AwareDatetime = Field(description="when the customer made the change at its origin")


class SetPermission(Contract):
    """Grant or withdraw the opt-in for electronic direct marketing on one channel."""

    command: Literal["set_permission"] = "set_permission"
    person_id: MessageId
    channel: PermissionChannel
    granted: bool
    source: ConsentSource
    collection_point: CollectionPoint
    actor: Actor = "customer"
    at: AwareDatetime


class SetChoice(Contract):
    """Choose a service on (`chosen` true) or off for a person, e.g. electronic receipts."""

    command: Literal["set_choice"] = "set_choice"
    person_id: MessageId
    choice: Choice
    chosen: bool
    source: ConsentSource
    collection_point: CollectionPoint
    actor: Actor = "customer"
    at: AwareDatetime = Field(description="when the customer made the change at its origin")


class SegmentCriteria(Contract):
    """Who the segment is for, over data allowed for the purpose; an empty list means any."""

    cooperatives: list[Slug] = Field([], max_length=19)
    municipalities: list[MunicipalityCode] = Field([], max_length=400)
    age_bands: list[AgeBand] = Field([], max_length=8)
    languages: list[Language] = Field([], max_length=3)
    customer_kinds: list[CustomerKind] = Field([], max_length=3)
    min_bonus_tier_bp: int | None = Field(None, ge=0, le=1000)
    max_bonus_tier_bp: int | None = Field(None, ge=0, le=1000)
    main_members_only: bool = Field(False, description="one person per household: its main member")


class DefineSegment(Contract):
    """Define a segment, or change its definition (the members are recomputed)."""

    command: Literal["define_segment"] = "define_segment"
    name: str = Field(pattern=SEGMENT_NAME.pattern, description="also the topic: marketing.segment.<name>.v1")
    purpose: Purpose
    channel: Channel
    description: Text | None = None
    criteria: SegmentCriteria = SegmentCriteria()
    attributes: list[SegmentAttribute] = Field([], max_length=3,
                                               description="what the purpose needs beyond language and cooperative")
    uses_product_data: bool = Field(False, description="built from product-level purchase data: only people "
                                                       "whose household allows that use")
    recipient: str = Field(SEGMENT_RECIPIENT, pattern=r"^[a-z0-9-]{2,40}$",
                           description="who the segment is delivered to, from the recipient registry "
                                       "(contracts/recipients.json); each member put in is logged as a "
                                       "disclosure to it")
    defined_at: AwareDatetime

    @model_validator(mode="after")
    def _consistent(self) -> "DefineSegment":
        if len(set(self.attributes)) != len(self.attributes):
            raise ValueError("attributes names an attribute twice")
        if self.recipient not in RECIPIENTS:
            raise ValueError("recipient is not in the recipient registry")
        low, high = self.criteria.min_bonus_tier_bp, self.criteria.max_bonus_tier_bp
        if low is not None and high is not None and low > high:
            raise ValueError("min_bonus_tier_bp is above max_bonus_tier_bp")
        return self


class RetireSegment(Contract):
    """Empty the segment: every member gets a tombstone; the definition is kept, retired."""

    command: Literal["retire_segment"] = "retire_segment"
    name: str = Field(pattern=SEGMENT_NAME.pattern)
    retired_at: AwareDatetime


Command = Union[SetBlock, SetPermission, SetChoice, DefineSegment, RetireSegment]


def _object_schema(schema: dict[str, Any]) -> None:
    """An object whose field names are those of the commands; `oneOf` checks each command exactly."""
    fields = {name for model in get_args(Command) for name in model.model_fields}
    schema.update(type="object", required=["command"], additionalProperties=False,
                  properties={name: {} for name in sorted(fields)})


class ConsentCommand(RootModel[Annotated[Command, Field(discriminator="command")]]):
    model_config = ConfigDict(frozen=True, json_schema_extra=_object_schema)


class Permissions(Contract):
    email: bool = False
    sms: bool = False


class ConsentState(Contract):
    """What is in force for one person. `blocks` are the person's own; the `product_data_*` flags are the
    household's (any current member's block covers the household's purchases)."""

    person_id: str
    version: int = Field(ge=1, description="grows by one with every change; keep the highest")
    household_id: str | None = None
    blocks: list[Block] = Field(description="the person's own blocks in force, sorted")
    permissions: Permissions
    marketing_prohibited: bool = Field(description="the register's or the population register's prohibition, "
                                                   "or deceased: no marketing at all")
    product_data_collection_blocked: bool
    product_data_targeting_blocked: bool
    product_data_services_blocked: bool
    choices: list[Choice] = Field(default_factory=list,
                                  description="the services the person has chosen (e-receipts), sorted; absent in "
                                              "states published before choices existed")
