"""`marketing.segment.<name>.v1`: the members of one marketing segment, one compacted topic per segment.

Published by the consent service, which computes each segment from its definition and includes only
customers whose permissions and blocks allow the segment's `purpose` on its `channel` (e.g. no email
without an explicit email marketing permission, no product-level targeting when that use is blocked).
Consumed by marketing tools.

The topic is compacted and keyed by `pseudonym`: a keyed token made per segment, so it cannot be joined
across segments or back to a person without the register's key. It is **never** the customer number,
member number, card number or identity code. A customer who leaves the segment (or withdraws the
permission, or is erased) gets a tombstone (null value) under their pseudonym, which compaction keeps
until every consumer has seen it.

Only the attributes below may leave the register. There is no name beyond the first name, no contact
address: a sending service resolves the pseudonym to the address at send time through the consent
service, which checks the permission again.

On error (a consumer cannot read a message) the consumer dead-letters it to `<topic>.dlq` with a reason;
the register itself never publishes a message this model rejects.
"""
from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import AwareDatetime, Field, SerializerFunctionWrapHandler, model_serializer

from contracts.events.common import Contract
from contracts.events.fields import Language, MunicipalityCode, Slug, Text

SEGMENT_NAME = re.compile(r"^[a-z0-9-]{2,40}$")
SEGMENT_TOPIC_TEMPLATE = "marketing.segment.{name}.v1"

Channel = Literal["email", "sms", "post", "phone", "digital_ads"]
AgeBand = Literal["15-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]


def segment_topic(name: str) -> str:
    """The topic of segment `name`: 2-40 characters of lower-case letters, digits and hyphens."""
    if not isinstance(name, str) or not SEGMENT_NAME.fullmatch(name):
        raise ValueError("a segment name is 2-40 characters of a-z, 0-9 and '-'")
    return SEGMENT_TOPIC_TEMPLATE.format(name=name)


class SegmentMember(Contract):
    pseudonym: str = Field(pattern=r"^[0-9a-f]{32,64}$",
                           description="per-segment keyed token; never a customer number or identity code")
    segment: str = Field(pattern=SEGMENT_NAME.pattern, description="the segment name, as in the topic name")
    purpose: str = Field(pattern=r"^[a-z0-9_-]{2,40}$", description="the processing purpose, e.g. newsletter")
    channel: Channel
    computed_at: AwareDatetime = Field(description="when the consent service last computed this membership")
    first_name: Text | None = Field(None, description="the calling name, for a greeting")
    language: Language
    cooperative_id: Slug
    municipality: MunicipalityCode | None = None
    age_band: AgeBand | None = None
    bonus_tier_bp: int | None = Field(None, ge=0, le=1000,
                                      description="the household's latest Bonus % in basis points (500 = 5 %)")

    @model_serializer(mode="wrap")
    def _only_what_is_carried(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """An attribute the segment does not carry is left out of the message, not sent as null."""
        return {name: value for name, value in handler(self).items() if value is not None}
