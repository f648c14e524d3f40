"""Use case: payouts of households without a benefit account are held, reported, and paid once there is one.

A payout names the main member's benefit account as membership.households.v1 last said it (the IBAN sealed
for them). Where there is none on record the payout is held — never dropped, never sent without an account —
and shown to operators on /metrics (`coopreg_payouts_held`, `coopreg_payouts_held_cents`). As soon as the
household's state brings an account, this job publishes each held payout with it, under its own payout id, so
S-Bank books it once whenever it arrives.
"""
from __future__ import annotations

import asyncio
from functools import partial
from typing import NamedTuple

from contracts.envelope import Envelope
from contracts.events.bonus import BonusPayout
from contracts.events.membership_states import BenefitAccountRef
from contracts.topics import BONUS_PAYOUTS
from services.bonus.adapters import close_publishing
from services.bonus.adapters.close_publishing import HeldPayout
from shared import outbox
from shared.db import Connection
from shared.jobs import periodically
from shared.logging import get_logger
from shared.observability import Gauge

SOURCE = "coopreg/bonus"
log = get_logger(use_case="held_payouts")


class PayoutToSend(NamedTuple):
    """A payout as staged, before the household's benefit account is put on it."""

    envelope: Envelope
    payout: BonusPayout


async def with_accounts_or_held(conn: Connection, payouts: list[PayoutToSend]) -> list[outbox.OutgoingEvent]:
    """The payout events of households with a benefit account, with it; the others are held."""
    accounts = await close_publishing.accounts_of(conn, sorted({p.payout.household_id for p in payouts}))
    ready: list[outbox.OutgoingEvent] = []
    held: list[HeldPayout] = []
    for envelope, payout in payouts:
        account = accounts.get(payout.household_id)
        if account is None:
            body = payout.model_dump_json(exclude={"benefit_account"})[:-1]
            held.append(HeldPayout(payout.payout_id, payout.household_id, body,
                                   sum(t.amount_cents for t in payout.transactions), envelope.time))
        else:
            ready.append(outbox.OutgoingEvent(BONUS_PAYOUTS.name, payout.household_id, envelope, payout.model_copy(
                update={"benefit_account": BenefitAccountRef.model_validate_json(account)})))
    if held:
        await close_publishing.hold(conn, held)
        log.warning("payouts held: no benefit account", payouts=len(held))
    return ready


async def release_held_payouts(pool, limit: int = 500) -> int:
    """Publish the held payouts whose household has an account now; how many."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await close_publishing.releasable(conn, limit)
        if not rows:
            return 0
        await outbox.add(conn, [outbox.OutgoingEvent(
            BONUS_PAYOUTS.name, r["household_id"],
            Envelope(id=f"payout:{r['payout_id']}", source=SOURCE, type=BONUS_PAYOUTS.event_type,
                     subject=r["household_id"], time=r["published_at"]),
            BonusPayout.model_validate_json(r["value"])) for r in rows])
        await close_publishing.mark_released(conn, [r["payout_id"] for r in rows])
    log.info("held payouts released", payouts=len(rows))
    return len(rows)


async def run_held_payout_release(pool, stop: asyncio.Event, poll_seconds: float = 2.0) -> None:
    """Background job: pay what was held as soon as the household has a benefit account."""
    await periodically(stop, poll_seconds, partial(release_held_payouts, pool), more=bool)


async def held_payout_gauges(pool) -> list[Gauge]:
    """Payouts held for want of a benefit account: an operator must see them, they are never dropped."""
    async with pool.acquire() as conn:
        held = await close_publishing.held_totals(conn)
    return [Gauge("coopreg_payouts_held", held["payouts"], "payouts held: the household has no benefit account"),
            Gauge("coopreg_payouts_held_households", held["households"], "households with a payout held"),
            Gauge("coopreg_payouts_held_cents", held["cash_cents"], "cents held in payouts not yet sent")]
