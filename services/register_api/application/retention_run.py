"""The retention job: every service erases what has passed its period (periods are data, in
`domain/retention_periods.json`), and every person whose customer relationship ended before the
`customer_relationship` cut-off is erased everywhere.

A run is a durable request on `privacy.retention-requests.v1` that every service carries out in its own process
and reports on; the API keeps the reports, requests the erasure of the people membership names, and finishes
the run when every service has reported. Idempotent: a second run at the same time erases nothing more.
"""
from __future__ import annotations

import uuid
from typing import cast

from contracts.envelope import Envelope
from contracts.events.privacy import ERASING_SERVICES, RetentionReport, RetentionRequested
from contracts.topics import PRIVACY_RETENTION_REQUESTS
from services.register_api.adapters import audit_log, erasure_requests, records
from services.register_api.application.context import SOURCE, RegisterApi
from services.register_api.application.erasure import request_erasure
from shared import disclosure_log, outbox
from shared.db import Connection
from shared.delivery import Incoming
from shared.outbox import OutgoingEvent

OWN_PART = "register_api"


async def run_retention(api: RegisterApi, requested_by: str) -> dict:
    """Start a run; the services report as they finish (`GET /retention/runs`)."""
    now = api.clock()
    cutoffs = api.rules.cutoffs(now)
    run_id = f"r-{uuid.uuid4()}"
    request = RetentionRequested(run_id=run_id, cutoffs=cutoffs, requested_at=now)
    envelope = Envelope(source=SOURCE, type=PRIVACY_RETENTION_REQUESTS.event_type, subject=run_id)
    async with api.own.acquire() as conn, conn.transaction():
        await records.start_run(conn, run_id, now, requested_by, {g: c.isoformat() for g, c in cutoffs.items()})
        await outbox.add(conn, [OutgoingEvent(PRIVACY_RETENTION_REQUESTS.name, run_id, envelope, request)])
        # the API's own part (its disclosure log), reported beside the services' parts
        erased = {"disclosures": await disclosure_log.erase_before(conn, cutoffs["disclosures"])}
        await erasure_requests.add_retention_report(conn, run_id, OWN_PART, erased, 0, now)
        await audit_log.append(conn, audit_log.AuditEntry(requested_by, ("retention",), "retention",
                                                          "run_retention", (), tuple(sorted(cutoffs)), "retention"))
    return {"run_id": run_id, "at": now.isoformat(), "status": "requested",
            "kept": [r.data_group for r in api.rules.rules if r.kept]}


async def when_services_report(api: RegisterApi, conn: Connection, messages: list[Incoming]) -> None:
    for message in messages:
        report = cast(RetentionReport, message.data)  # the delivery validated it against the topic's model
        if not await erasure_requests.run_is_open(conn, report.run_id):
            continue
        if not await erasure_requests.add_retention_report(conn, report.run_id, report.service, report.erased,
                                                           len(report.relationships_ended), report.done_at):
            continue  # the same report again
        for person_id in report.relationships_ended:
            await request_erasure(conn, api, person_id, "retention", "retention")
        reports = await erasure_requests.retention_reports(conn, report.run_id)
        if set(reports) >= set(ERASING_SERVICES):
            await records.finish_run(conn, report.run_id, api.clock(), {
                "run_id": report.run_id, "status": "finished",
                "erased": {name: r["erased"] for name, r in sorted(reports.items())},
                "persons_erasure_requested": sum(r["relationships_ended"] for r in reports.values()),
                "kept": [r.data_group for r in api.rules.rules if r.kept]})
