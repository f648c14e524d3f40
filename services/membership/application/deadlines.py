"""Use case and job: a contribution not paid in full by its deadline ends the membership, and the paid
part is refunded (domain.md §2.4). Run hourly by the service; idempotent, so running twice ends nothing
twice.

National scale: the candidates are walked in chunks of person ids (keyset), each chunk its own transaction.
A sweep that stops half-way leaves the committed chunks done; the next sweep finds only what is still
active and overdue (each membership is re-checked under the person's lock), so nothing ends or is refunded
twice, whichever instance sweeps."""
from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timezone
from functools import partial

from contracts.envelope import NAMESPACE, Envelope
from services.membership.adapters import memberships, persons
from services.membership.application.config import SOURCE
from services.membership.application.ledger import load_contribution
from services.membership.application.membership_end import end_membership
from services.membership.domain.membership import MembershipStatus, ends_for_unpaid_contribution
from services.membership.domain.numbers import day_start, helsinki_date
from shared.db import Connection
from shared.jobs import periodically
from shared.logging import get_logger

log = get_logger(use_case="contribution_deadlines")


CHUNK_SIZE = 500


async def _end_if_overdue(conn: Connection, person_id: str, today: date) -> bool:
    await persons.lock(conn, person_id)
    membership = await memberships.active_of(conn, person_id)
    if membership is None:
        return False
    if not ends_for_unpaid_contribution(await load_contribution(conn, membership["contribution_id"]), today):
        return False
    cause = Envelope(id=str(uuid.uuid5(NAMESPACE, f"overdue:{membership['membership_id']}")), source=SOURCE,
                     type="coopreg.ContributionDeadlinePassed", subject=membership["membership_id"],
                     cooperative=membership["cooperative_id"])
    await end_membership(conn, membership, MembershipStatus.TERMINATED_UNPAID, day_start(today), cause)
    return True


async def end_overdue_memberships(pool, today: date, chunk_size: int = CHUNK_SIZE,
                                  stop: asyncio.Event | None = None) -> int:
    """End the memberships whose contribution deadline passed before `today`, a chunk per transaction
    (a set `stop` ends the sweep between chunks); return how many ended."""
    ended, after = 0, ""
    while True:
        async with pool.acquire() as conn, conn.transaction():
            candidates = await memberships.overdue_candidates(conn, today, after, chunk_size)
            in_chunk = 0
            for person_id in candidates:
                in_chunk += await _end_if_overdue(conn, person_id, today)
        ended += in_chunk
        if len(candidates) < chunk_size or (stop is not None and stop.is_set()):
            return ended
        after = candidates[-1]


async def run_deadline_sweeper(pool, stop: asyncio.Event, interval_seconds: float = 3600) -> None:
    """Background job: sweep once at start and then every `interval_seconds`."""
    await periodically(stop, interval_seconds, partial(end_overdue_memberships_today, pool, stop))


async def end_overdue_memberships_today(pool, stop: asyncio.Event) -> None:
    ended = await end_overdue_memberships(pool, helsinki_date(datetime.now(timezone.utc)), stop=stop)
    if ended:
        log.info("memberships ended for unpaid contributions", count=ended)
