"""Use case and job: a contribution not paid in full by its deadline ends the membership, and the paid
part is refunded (domain.md §2.4). Run daily by the service; idempotent, so running twice ends nothing
twice."""
from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timezone

from contracts.envelope import NAMESPACE, Envelope
from services.membership.adapters import memberships, persons
from services.membership.application.config import SOURCE
from services.membership.application.ledger import load_contribution
from services.membership.application.membership_end import end_membership
from services.membership.domain.membership import MembershipStatus, ends_for_unpaid_contribution
from services.membership.domain.numbers import day_start, helsinki_date
from shared.logging import get_logger

log = get_logger(use_case="contribution_deadlines")


async def end_overdue_memberships(conn, today: date, limit: int = 1000) -> int:
    """End the memberships whose contribution deadline passed before `today`; return how many."""
    ended = 0
    for person_id in await memberships.overdue_candidates(conn, today, limit):
        await persons.lock(conn, person_id)
        membership = await memberships.active_of(conn, person_id)
        if membership is None:
            continue
        if not ends_for_unpaid_contribution(await load_contribution(conn, membership["contribution_id"]), today):
            continue
        cause = Envelope(id=str(uuid.uuid5(NAMESPACE, f"overdue:{membership['membership_id']}")), source=SOURCE,
                         type="coopreg.ContributionDeadlinePassed", subject=membership["membership_id"],
                         cooperative=membership["cooperative_id"])
        await end_membership(conn, membership, MembershipStatus.TERMINATED_UNPAID, day_start(today), cause)
        ended += 1
    return ended


async def run_deadline_sweeper(pool, stop: asyncio.Event, interval_seconds: float = 3600) -> None:
    """Background job: sweep once at start and then every `interval_seconds`."""
    while not stop.is_set():
        async with pool.acquire() as conn, conn.transaction():
            ended = await end_overdue_memberships(conn, helsinki_date(datetime.now(timezone.utc)))
        if ended:
            log.info("memberships ended for unpaid contributions", count=ended)
        try:
            await asyncio.wait_for(stop.wait(), interval_seconds)
        except asyncio.TimeoutError:
            pass
