"""A customer's activity that another service saw: the digital service reports when a customer was last active
in the web stores or the digital services (`digital.customer-activity.v1`), and the `inactive_customer`
retention rule (`adapters/retention.py`) counts it as this service's own activity, without this service reading
the digital service's schema.

The report and the customer's registration come through different consumers, so the report can be first. It
then waits (`activity_waiting`) instead of being dropped — the digital service reports a person at most once a
day — and a sweep keeps it once the registration is committed: the two transactions cannot see each other's
rows, so neither one alone can close the gap, and a lock between the two consumers would deadlock their
batches. A report about an erased person (kept only for the member register, or gone with an erasure mark)
keeps nothing, does not wait, and is counted."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from functools import partial
from typing import cast

from contracts.events.digital import CustomerActivity
from services.membership.adapters import activity_elsewhere, persons
from services.membership.adapters.activity_elsewhere import Noted
from services.membership.application.config import MembershipConfig
from shared.db import Connection
from shared.delivery import Incoming
from shared.jobs import periodically
from shared.logging import get_logger

SWEEP_CHUNK = 500


async def note_digital_activity(conn: Connection, messages: list[Incoming]) -> None:
    # the latest report of each person, each person once and in id order: only a later time counts, and a batch
    # that came back to a person it already touched could wait on the sweep that waits on it
    latest: dict[str, datetime] = {}
    for message in messages:
        report = cast(CustomerActivity, message.data)  # the delivery validated it against the topic's model
        latest[report.person_id] = max(report.last_active_at, latest.get(report.person_id, report.last_active_at))
    for person_id in sorted(latest):
        if await activity_elsewhere.note(conn, person_id, "digital", latest[person_id]) is Noted.ERASED:
            await persons.count_ignored(conn, "digital", "erased")


async def keep_waiting_reports(pool, config: MembershipConfig, now: datetime | None = None) -> int:
    """One round of the sweep: the waiting reports of persons registered since, each under the person's lock;
    then forget those that waited too long. How many persons it looked at."""
    kept = 0
    async with pool.acquire() as conn:
        registered = await activity_elsewhere.waiting_registered(conn, SWEEP_CHUNK)
        for person_id in registered:
            async with conn.transaction():  # a person at a time: the sweep holds one person's lock at most
                person = await persons.lock(conn, person_id)
                if person is None or person["erased_at"] is not None:
                    await activity_elsewhere.forget_waiting(conn, person_id)
                else:
                    kept += await activity_elsewhere.keep_waiting(conn, person_id)
        forgotten = await activity_elsewhere.forget_waiting_since(
            conn, (now or datetime.now(timezone.utc)) - config.activity_wait)
    if kept or forgotten:
        get_logger(component="activity-waiting-sweep").info("waiting activity reports swept", kept=kept,
                                                            forgotten=forgotten)
    return len(registered)


async def run_waiting_sweep(pool, config: MembershipConfig, stop: asyncio.Event) -> None:
    """Background job: the sweep now and every `config.activity_sweep_seconds`, at once again after a full
    round."""
    await periodically(stop, config.activity_sweep_seconds, partial(keep_waiting_reports, pool, config),
                       more=lambda persons_seen: persons_seen >= SWEEP_CHUNK)
