"""Every service's part of the data-subject rights, carried out in its own process: one way for all.

A service names its erasure and retention functions (`PrivacyDuties`); `subscribe_privacy` consumes the
register API's durable requests (`privacy.erasure-requests.v1`, `privacy.retention-requests.v1`) in the
service's own consumer groups and, in the same transaction as the erasure, stages the service's report in its
outbox. A service that was down finds the requests waiting; a request read twice erases nothing more and
reports again, which the API takes as the same report.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable, Mapping, Sequence, cast

from contracts.envelope import Envelope
from contracts.events.privacy import (
    ErasingService,
    ErasureReport,
    ErasureRequested,
    RetentionReport,
    RetentionRequested,
)
from contracts.topics import (
    PRIVACY_ERASURE_REPORTS,
    PRIVACY_ERASURE_REQUESTS,
    PRIVACY_RETENTION_REPORTS,
    PRIVACY_RETENTION_REQUESTS,
)
from shared import outbox
from shared.db import Connection
from shared.delivery import Incoming
from shared.outbox import OutgoingEvent

# What a service erased of a person, by part: a count, a yes (True) or no, or the list of what went.
Erased = int | bool | Sequence[object]
ErasePerson = Callable[[Connection, str], Awaitable[Mapping[str, Erased]]]
EraseExpired = Callable[[Connection, Mapping[str, datetime]], Awaitable[Mapping[str, int]]]
RelationshipsEnded = Callable[[Connection, Mapping[str, datetime]], Awaitable[list[str]]]


@dataclass(frozen=True)
class PrivacyDuties:
    service: ErasingService
    erase_person: ErasePerson
    erase_expired: EraseExpired | None = None
    relationships_ended: RelationshipsEnded | None = None  # membership: whom the API erases everywhere

    async def on_erasure_requests(self, conn: Connection, messages: list[Incoming]) -> None:
        events = []
        for message in messages:
            request = cast(ErasureRequested, message.data)  # the delivery validated it against the topic's model
            rows = await self.erase_person(conn, request.person_id)
            report = ErasureReport(request_id=request.request_id, person_id=request.person_id, service=self.service,
                                   rows={name: _count(value) for name, value in rows.items()}, done_at=_now())
            events.append(_reply(PRIVACY_ERASURE_REPORTS, request.person_id, message.envelope, self.service, report))
        await outbox.add(conn, events)

    async def on_retention_requests(self, conn: Connection, messages: list[Incoming]) -> None:
        events = []
        for message in messages:
            request = cast(RetentionRequested, message.data)
            erased = dict(await self.erase_expired(conn, request.cutoffs)) if self.erase_expired else {}
            ended = await self.relationships_ended(conn, request.cutoffs) if self.relationships_ended else []
            report = RetentionReport(run_id=request.run_id, service=self.service, erased=erased,
                                     relationships_ended=ended, done_at=_now())
            events.append(_reply(PRIVACY_RETENTION_REPORTS, request.run_id, message.envelope, self.service, report))
        await outbox.add(conn, events)


def subscribe_privacy(ctx, duties: PrivacyDuties) -> None:
    """`ctx` is the service's `shared.runtime.ServiceContext`."""
    ctx.subscribe(PRIVACY_ERASURE_REQUESTS, duties.on_erasure_requests, consumer=f"{duties.service}-erasure",
                  max_records=50)
    ctx.subscribe(PRIVACY_RETENTION_REQUESTS, duties.on_retention_requests, consumer=f"{duties.service}-retention",
                  max_records=1)


def _reply(topic, key: str, cause: Envelope, service: str, report) -> OutgoingEvent:
    envelope = cause.follow(source=f"coopreg/{service}", type=topic.event_type, subject=cause.subject)
    return OutgoingEvent(topic.name, key, envelope, report)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _count(value: Erased) -> int:
    """A report's figure: a count, a yes (1) or no (0), or a list of what went (its length)."""
    return int(value) if isinstance(value, int) else len(value)
