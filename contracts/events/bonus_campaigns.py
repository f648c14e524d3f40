"""`bonus.campaigns.v1`: Double Bonus campaigns as data, created and ended by the cooperatives' finance staff
(key: the campaign id, so a campaign's creation and its end are read in the order they were sent).

A campaign pays twice the month's Bonus % on the Bonus purchases made at its outlets within its period
(`starts_at` inclusive, `ends_at` exclusive). Purchases are priced when the bonus service books them, so a
campaign never reaches back: it cannot start before the service applies its creation, and an end already
past when it is applied takes effect then. Campaigns are not about a person: nothing here is personal data.

Not on `bonus.commands.v1`: that topic is keyed by month, which a campaign's end does not know, and changing a
topic's key is a breaking change (contracts/compatibility.py).
"""
from __future__ import annotations

from typing import Annotated, Any, Literal, Union, get_args

from pydantic import AwareDatetime, ConfigDict, Field, RootModel

from contracts.events.common import Contract

CampaignId = Annotated[str, Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="chosen by the creator; unique")]
OutletId = Annotated[str, Field(min_length=1, max_length=64)]


class CreateDoubleBonusCampaign(Contract):
    """Command: a Double Bonus campaign of a cooperative at its outlets over a period."""

    command: Literal["create_campaign"]
    campaign_id: CampaignId
    cooperative_id: str = Field(min_length=1, max_length=64, description="the cooperative running the campaign")
    name: str = Field(min_length=1, max_length=200, description="what finance staff call it, e.g. 'Prisma Kaleva "
                                                                "reopening'")
    outlet_ids: list[OutletId] = Field(min_length=1, max_length=1000)
    starts_at: AwareDatetime = Field(description="not before the bonus service applies the command")
    ends_at: AwareDatetime = Field(description="exclusive; after starts_at")


class EndDoubleBonusCampaign(Contract):
    """Command: end a campaign early, at `ends_at` or, when that has passed by the time the bonus service
    applies the command, then (a campaign that has not started yet is called off)."""

    command: Literal["end_campaign"]
    campaign_id: CampaignId
    ends_at: AwareDatetime


Command = Union[CreateDoubleBonusCampaign, EndDoubleBonusCampaign]


def _object_schema(schema: dict[str, Any]) -> None:
    """An object whose field names are those of the commands; `oneOf` checks each command exactly."""
    fields = {name for model in get_args(Command) for name in model.model_fields}
    schema.update(type="object", required=["command"], additionalProperties=False,
                  properties={name: {} for name in sorted(fields)})


class CampaignCommand(RootModel[Annotated[Command, Field(discriminator="command")]]):
    """One campaign command on `bonus.campaigns.v1` (key: the campaign id)."""

    model_config = ConfigDict(frozen=True, json_schema_extra=_object_schema)
