"""`hr.staff-updates.v1`: employment and staff-discount data from the HR register "Hertta" (seed §5, §6).

Published by Hertta (or its adapter) when an S-Group employee's employment or right to the staff discount
starts, changes or ends; each message is the current state of one employment. Consumed by the membership
service, which keeps it as the person's staff data (owner-customers and household members only); the
purchases service learns the discount right from membership events. Keyed by the update id (as in
`contracts/topics.py`), never by the identity code, which must not lie in clear in a key at rest in Kafka;
one person's updates need no common partition, since an update older (by `source_time`) than the one kept
for the employment is ignored. The topic is readable only by the membership service.

The identity code is in clear on the wire only: the consumer turns it into a keyed token at once and never
stores or logs it in clear.

On error the message goes to `hr.staff-updates.v1.dlq` with a reason: `schema_violation` when this model
rejects it (the detail names the field, never the value), or a domain code of the membership service
(e.g. `invalid_identity_code`). An update for a person who is not in the register is acknowledged and
has no effect: staff data applies only to owner-customers and household members.
"""
from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, Field, model_validator

from contracts.events.common import Contract
from contracts.events.fields import IdentityCode, MessageId


class StaffUpdate(Contract):
    update_id: MessageId = Field(description="unique per update; a repeated id is ignored")
    identity_code: IdentityCode
    employer: str = Field(pattern=r"^[0-9]{7}-[0-9]$",
                          description="business ID (Y-tunnus) of the employing S-Group company")
    employment_start: date
    employment_end: date | None = Field(None, description="last day of employment; null while it lasts")
    staff_discount: bool = Field(description="whether the person has the right to the staff discount")
    source_time: AwareDatetime = Field(description="when Hertta recorded the change")

    @model_validator(mode="after")
    def _period(self) -> "StaffUpdate":
        if self.employment_end is not None and self.employment_end < self.employment_start:
            raise ValueError("employment ends before it starts")
        return self
