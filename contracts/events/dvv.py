"""`dvv.population-updates.v1`: change data from the Population Information System (DVV / VTJ).

Published by the register's DVV adapter, which turns the population register's update service feed into one
message per change of one person. Consumed by the membership service (names, address, non-disclosure,
death, the direct-marketing prohibition), which passes the prohibition and deaths on to the consent service
in the person state. Keyed by the update id (as in `contracts/topics.py`), never by the identity code,
which must not lie in clear in a key at rest in Kafka; one person's changes need no common partition, since
the later `source_time` wins whatever order they arrive in. The topic is readable only by the membership
service.

Each message has one `kind` and carries exactly the fields of that kind (checked here):

| kind | fields |
|---|---|
| `name` | `name` |
| `address` | `address`, `address_kind`; optionally `home_municipality`; `address_valid_until` if temporary |
| `non_disclosure` | `non_disclosure` (true = address protection on, false = lifted) |
| `death` | `date_of_death` |
| `marketing_prohibition` | `marketing_prohibition` (true = prohibited, false = lifted) |

The identity code is in clear on the wire only: the consumer turns it into a keyed token at once and never
stores or logs it in clear.

On error the message goes to `dvv.population-updates.v1.dlq` with a reason: `schema_violation` when this
model rejects it (the detail names the field, never the value), or a domain code of the membership
service (e.g. `invalid_identity_code` when the check character is wrong). An update for a person the
register does not know is not an error: it is acknowledged and has no effect.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from contracts.events.common import Contract
from contracts.events.fields import IdentityCode, MessageId, MunicipalityCode, PersonName, PostalAddress

UpdateKind = Literal["name", "address", "non_disclosure", "death", "marketing_prohibition"]

REQUIRED_FIELDS: dict[str, frozenset[str]] = {
    "name": frozenset({"name"}),
    "address": frozenset({"address", "address_kind"}),
    "non_disclosure": frozenset({"non_disclosure"}),
    "death": frozenset({"date_of_death"}),
    "marketing_prohibition": frozenset({"marketing_prohibition"}),
}
OPTIONAL_FIELDS: dict[str, frozenset[str]] = {
    "address": frozenset({"home_municipality", "address_valid_until"}),
}
KIND_FIELDS = frozenset().union(*REQUIRED_FIELDS.values(), *OPTIONAL_FIELDS.values())


class PopulationUpdate(Contract):
    update_id: MessageId = Field(description="unique per change; a repeated id is ignored")
    identity_code: IdentityCode
    kind: UpdateKind
    name: PersonName | None = None
    address: PostalAddress | None = None
    address_kind: Literal["permanent", "temporary"] | None = None
    address_valid_until: date | None = Field(None, description="last day of a temporary address")
    home_municipality: MunicipalityCode | None = None
    non_disclosure: bool | None = None
    date_of_death: date | None = None
    marketing_prohibition: bool | None = None
    effective_date: date = Field(description="the day the change takes effect in the population register")
    source_time: AwareDatetime = Field(description="when the population register recorded the change")

    @model_validator(mode="after")
    def _fields_match_kind(self) -> "PopulationUpdate":
        required = REQUIRED_FIELDS[self.kind]
        allowed = required | OPTIONAL_FIELDS.get(self.kind, frozenset())
        present = {name for name in KIND_FIELDS if getattr(self, name) is not None}
        article = "an" if self.kind[0] in "aeiou" else "a"
        if missing := sorted(required - present):
            raise ValueError(f"{article} {self.kind} update needs {', '.join(missing)}")
        if extra := sorted(present - allowed):
            raise ValueError(f"{article} {self.kind} update cannot carry {', '.join(extra)}")
        if self.address_valid_until is not None and self.address_kind != "temporary":
            raise ValueError("only a temporary address has address_valid_until")
        if self.address_valid_until is not None and self.address_valid_until < self.effective_date:
            raise ValueError("a temporary address ends before it takes effect")
        return self
