"""Segment definitions kept as data: the `DefineSegment` command as stored, and the domain's view of it."""
from __future__ import annotations

from contracts.events.consent import DefineSegment
from services.consent.domain.segments import Criteria, SegmentDefinition

SET_CRITERIA = ("cooperatives", "municipalities", "age_bands", "languages", "customer_kinds")


def stored(command: DefineSegment) -> dict:
    return command.model_dump(mode="json", exclude={"command"})


def from_stored(data: dict) -> SegmentDefinition:
    command = DefineSegment.model_validate({**data, "command": "define_segment"})
    criteria = command.criteria
    return SegmentDefinition(
        name=command.name, purpose=command.purpose, channel=command.channel,
        criteria=Criteria(**{name: frozenset(getattr(criteria, name)) for name in SET_CRITERIA},
                          min_bonus_tier_bp=criteria.min_bonus_tier_bp,
                          max_bonus_tier_bp=criteria.max_bonus_tier_bp,
                          main_members_only=criteria.main_members_only),
        attributes=tuple(command.attributes), uses_product_data=command.uses_product_data,
        recipient=command.recipient)
