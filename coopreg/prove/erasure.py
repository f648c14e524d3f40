"""Ending the person's relationship, the tax report that names them, and the erasure itself: requested through
the register API as the data protection officer and followed until every service has reported."""
from __future__ import annotations

import time
from datetime import datetime, timezone

from contracts.events.membership import MembershipCommand, Resign
from contracts.topics import MEMBERSHIP_COMMANDS
from coopreg.client import RegisterClient
from coopreg.prove.history import send, until
from coopreg.prove.subject import Subject
from coopreg.staff_session import StaffSession
from services.membership.adapters import reads as membership_reads
from services.membership.application.config import MembershipConfig
from services.membership.application.tax_report import write_tax_report
from services.membership.entrypoints.service import SERVICE
from services.registry import SERVICES
from shared.runtime import open_pool
from shared.settings import Settings


async def end_relationship(client: RegisterClient, db, subject: Subject) -> None:
    """The member resigns: the contribution is refunded and the household dissolves (its other member leaves)."""
    await send(client, MEMBERSHIP_COMMANDS, subject.person_id, MembershipCommand(Resign(
        person_id=subject.person_id, resigned_at=datetime.now(timezone.utc))))
    await until(lambda: membership_reads.household_dissolved(db, subject.household_id), "the household dissolved")


async def tax_report(settings: Settings) -> dict:
    """The year's report to the tax authority (the refund on resigning is in it), as `coopreg membership
    tax-report` writes it: kept sealed in the membership schema, a statutory record the erasure keeps."""
    pool = await open_pool(settings, SERVICE)
    try:
        async with pool.acquire() as conn, conn.transaction():
            written = await write_tax_report(conn, MembershipConfig.from_settings(settings),
                                             datetime.now(timezone.utc).year)
    finally:
        await pool.close()
    return {"file_name": written.file_name, "refund_recipients": written.refund_recipients}


async def erase(dpo: StaffSession, subject: Subject, timeout: float = 300) -> tuple[dict, float]:
    """POST /persons/{id}/erasure, then GET /erasures/{request_id} until completed; the erasure and seconds."""
    started = time.monotonic()
    requested = await dpo.call("POST", f"/persons/{subject.person_id}/erasure", "person")
    path = f"/erasures/{requested['erasure']['request_id']}"

    async def completed():
        erasure = (await dpo.call("GET", path, "erasure"))["erasure"]
        return erasure if erasure["status"] == "completed" else None
    erasure = await until(completed, "every service reporting its part erased", timeout=timeout, interval=0.1)
    return erasure, round(time.monotonic() - started, 2)


async def outboxes_empty(db) -> None:
    """Every service's outbox relayed (the tombstones an erasure publishes are out on the topics)."""
    schemas = [*SERVICES, "register_api"]

    async def empty():
        counts = [await db.fetchval(f'SELECT count(*) FROM "{schema}".outbox') for schema in schemas]
        return not any(counts)
    await until(empty, "the outboxes relayed", timeout=60)
