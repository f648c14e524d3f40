"""Erasure of one person across every service: on request (the data protection officer), or by the retention
job when the customer relationship ended more than the retention period ago.

The API admits the request (a known person whose relationship has ended), records it and publishes it on
`privacy.erasure-requests.v1` in one transaction. Every service erases its own part in its own process and
reports (`shared.privacy_duties`); a service that is down does it when it is back, and the request shows
each service's status meanwhile. When the last report is in, the person's key is destroyed — every event
sealed for them becomes unreadable — their extract documents and the API's disclosure log entries of them are
forgotten and the erasure is recorded. The
member register the Co-operatives Act and the tax rules require stays in membership.
"""
from __future__ import annotations

import uuid
from typing import cast

from contracts.envelope import Envelope
from contracts.events.privacy import ERASING_SERVICES, ErasureReason, ErasureReport, ErasureRequested
from contracts.topics import PRIVACY_ERASURE_REQUESTS
from services.register_api.adapters import audit_log, erasure_requests, extract_requests, records
from services.register_api.adapters.erasure_requests import ErasureRequest
from services.register_api.application.context import SOURCE, RegisterApi
from services.register_api.application.errors import Conflict, NotFound
from services.register_api.application.gather import facts
from services.register_api.domain.access import Principal, check_scope
from shared import disclosure_log, outbox
from shared.db import Connection
from shared.delivery import Incoming
from shared.outbox import OutgoingEvent


async def request_erasure(conn: Connection, api: RegisterApi, person_id: str, requested_by: str,
                          reason: ErasureReason) -> ErasureRequest:
    """Record and publish the request (in the caller's transaction); the open one if the person has one."""
    request = ErasureRequest(f"e-{uuid.uuid4()}", person_id, reason, requested_by, api.clock(), None)
    if not await erasure_requests.add(conn, request):
        return await erasure_requests.open_request(conn, person_id)
    event = ErasureRequested(request_id=request.request_id, person_id=person_id, reason=reason,
                             requested_at=request.requested_at)
    envelope = Envelope(source=SOURCE, type=PRIVACY_ERASURE_REQUESTS.event_type, subject=person_id)
    await outbox.add(conn, [OutgoingEvent(PRIVACY_ERASURE_REQUESTS.name, person_id, envelope, event)])
    return request


async def status(conn: Connection, request: ErasureRequest) -> dict:
    reported = {r.service: r for r in await erasure_requests.reports(conn, request.request_id)}
    return {"request_id": request.request_id, "person_id": request.person_id, "reason": request.reason,
            "requested_at": request.requested_at, "completed_at": request.completed_at,
            "status": "completed" if request.completed_at else "in_progress",
            "services": {name: ({"status": "done", "done_at": reported[name].done_at, "rows": reported[name].rows}
                                if name in reported else {"status": "pending"}) for name in ERASING_SERVICES}}


async def erase_person(api: RegisterApi, principal: Principal, purpose: str, person_id: str) -> dict:
    """The right to erasure, carried out by the data protection officer: requested now, done as each service
    reports (`GET /erasures/{request_id}`)."""
    check_scope(principal, "erasure:run")
    known = await facts(api, person_id)
    if known.relationship_active:
        raise Conflict("relationship_active", "a member or household member cannot be erased; end it first")
    async with api.own.acquire() as conn, conn.transaction():
        if known.known:
            request = await request_erasure(conn, api, person_id, principal.user, "request")
        # Unknown to the services: a request sent again (its answer lost, the officer's client retrying)
        # once the services have erased the person is answered with that erasure, not "no such person".
        elif (erased := await erasure_requests.latest_request(conn, person_id)) is not None:
            request = erased
        else:
            raise NotFound("no such person")
        await audit_log.append(conn, audit_log.AuditEntry(principal.user, tuple(principal.roles), "erasure",
                                                          "erase_person", (person_id,), ("*",), purpose))
        return {"erasure": await status(conn, request)}


async def erasure_status(api: RegisterApi, principal: Principal, request_id: str) -> dict:
    check_scope(principal, "erasure:run")
    async with api.own.acquire() as conn:
        request = await erasure_requests.request(conn, request_id)
        if request is None:
            raise NotFound("no such erasure request")
        return {"erasure": await status(conn, request)}


async def when_services_report(api: RegisterApi, conn: Connection, messages: list[Incoming]) -> None:
    """A service has erased its part; with the last report in, destroy the key and record the erasure."""
    for message in messages:
        report = cast(ErasureReport, message.data)  # the delivery validated it against the topic's model
        request = await erasure_requests.request(conn, report.request_id, lock=True)
        if request is None or request.completed_at is not None:
            continue  # a report repeated after completion, or of a request from another register
        await erasure_requests.add_report(conn, report.request_id, report.service, report.rows, report.done_at)
        reported = await erasure_requests.reports(conn, report.request_id)
        if {r.service for r in reported} >= set(ERASING_SERVICES):
            await _complete(api, conn, request, {r.service: r.rows for r in reported})


async def _complete(api: RegisterApi, conn: Connection, request: ErasureRequest, by_service: dict) -> None:
    now = api.clock()
    report = {**by_service, "key_destroyed": await api.subject_keys.erase(conn, request.person_id),
              "extract_documents": await extract_requests.forget_documents_of(conn, request.person_id),
              "disclosures": await disclosure_log.erase_person(conn, request.person_id)}
    await records.record_erasure(conn, request.person_id, now, request.requested_by, request.reason, report)
    await erasure_requests.complete(conn, request.request_id, now)
