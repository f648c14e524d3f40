"""The data-subject rights that every service carries out in its own process (seed §11-12).

- `privacy.erasure-requests.v1` (`ErasureRequested`, key person id): erase this person. The register API
  publishes it once the request is admitted; every service that holds personal data consumes it in its own
  consumer group, erases its part in one transaction and answers with an `ErasureReport` through its outbox.
  A service that is down finds the request waiting when it is back: the request is durable, the erasure
  idempotent.
- `privacy.erasure-reports.v1` (`ErasureReport`, key person id): one service has erased its part. The register
  API collects them; when every service has reported, it destroys the person's key.
- `privacy.retention-requests.v1` (`RetentionRequested`, key run id): erase what passed these cut-offs.
- `privacy.retention-reports.v1` (`RetentionReport`, key run id): what one service erased; the membership
  service also names the people whose customer relationship ended before the cut-off, whom the API then
  erases everywhere.

No message here carries more than the pseudonymous person id: the events are about the erasure, not the data.
"""
from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.events.common import Contract

# The services that hold a part of a person and answer an erasure; the API waits for every one of them.
ERASING_SERVICES = ("membership", "cards", "purchases", "bonus", "consent", "digital")
ErasingService = Literal["membership", "cards", "purchases", "bonus", "consent", "digital"]
ErasureReason = Literal["request", "retention"]


class ErasureRequested(Contract):
    request_id: str = Field(pattern=r"^e-[0-9a-f-]{36}$")
    person_id: str = Field(min_length=1, max_length=64)
    reason: ErasureReason
    requested_at: AwareDatetime


class ErasureReport(Contract):
    request_id: str
    person_id: str
    service: ErasingService
    rows: dict[str, int] = Field(description="rows erased (or kept as the law requires) by data group")
    done_at: AwareDatetime


class RetentionRequested(Contract):
    run_id: str = Field(pattern=r"^r-[0-9a-f-]{36}$")
    cutoffs: dict[str, AwareDatetime] = Field(description="data group -> erase what ended before this instant")
    requested_at: AwareDatetime


class RetentionReport(Contract):
    run_id: str
    service: ErasingService
    erased: dict[str, int] = Field(description="rows erased by data group")
    relationships_ended: list[str] = Field(default_factory=list, max_length=10_000,
                                           description="membership only: people to erase everywhere")
    done_at: AwareDatetime
