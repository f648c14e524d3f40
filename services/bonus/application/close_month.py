"""Use case: close a Bonus month — price every household's month once and stage its payouts.

Closing is requested by a command (`CloseBonusMonth`) or by the calendar (close_schedule.py), which only
marks the month closing; from then on purchases for it become adjustments. A command for a month that may
not be closed yet (CloseCalendar: ended in Helsinki time plus the grace for late receipts) is refused: it
is dead-lettered with the reason `month_not_ended` and the month stays open. The closer job (one per month
at a time, by an advisory lock) walks the
households in key order in chunks, each priced set-based in PostgreSQL (adapters/close_pricing.py, held to
the pure domain by a test) into one statement per household; two chunks are priced at once and they commit
in key order, so closing twice pays once and a crash mid-close resumes after the last statement written. The
statements are published as payouts and statements by their own job (publish_close.py); pricing keeps within
`publish_lag` households of the published payouts while the publisher moves, so a publisher slower than
pricing sets the pace. Adjustments to earlier months are paid with the close at their recorded rate, through
the outbox. The month is closed when nothing is left to claim, and announced closed once all of it is
published.
"""
from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import partial
from typing import Callable, cast

from contracts.envelope import Envelope
from contracts.events.bonus import BonusMonthClosed, BonusPayout, CloseBonusMonth, PayoutKind, PayoutTransaction
from contracts.topics import BONUS_MONTHS, BONUS_PAYOUTS
from services.bonus.adapters import close_pricing, closing
from services.bonus.application.held_payouts import PayoutToSend, with_accounts_or_held
from services.bonus.application.month_to_date import totals_of
from services.bonus.domain import PAYMENT_METHOD_RATE_BP, MonthTotals, TierTables, adjustment_for_closed_month
from services.bonus.domain.months import CloseCalendar, month_label, parse_month, payout_due
from shared import outbox
from shared.commands import apply_each
from shared.db import Connection
from shared.delivery import Incoming
from shared.jobs import periodically
from shared.logging import get_logger

SOURCE = "coopreg/bonus"
log = get_logger(use_case="close_month")


@dataclass(frozen=True)
class CloseConfig:
    tables: TierTables
    chunk: int = 20000
    chunks_in_flight: int = 2  # priced at once, committed in key order
    # Households priced and not yet published as payouts beyond which pricing waits for the publisher
    # (one core of Python at the most): a close priced far ahead of its payouts only takes the CPU they
    # need. A publisher whose mark has not moved for `publisher_stalled_s` (none running, the broker
    # away) holds nothing up.
    publish_lag: int = 100_000
    publisher_stalled_s: float = 5.0


@dataclass(frozen=True)
class RecordedRate:
    rate_bp: int


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def payout_event(household: str, month: date, due_on: date, rate_bp: int,
                 transactions: list[tuple[PayoutKind, int]], contribution_cents: int = 0, suffix: str = "",
                 at: datetime | None = None) -> PayoutToSend:
    """One payout message per household and month; the id is the payout id, stable across re-runs."""
    payout_id = f"{household}:{month_label(month)}{suffix}"
    envelope = Envelope(id=f"payout:{payout_id}", source=SOURCE, type=BONUS_PAYOUTS.event_type, subject=household,
                        time=at or utc_now())
    data = BonusPayout(payout_id=payout_id, household_id=household, month=month_label(month), rate_bp=rate_bp,
                       due_on=due_on, contribution_cents=contribution_cents,
                       transactions=[PayoutTransaction(kind=kind, amount_cents=cents) for kind, cents in transactions])
    return PayoutToSend(envelope, data)


async def request_month_close(conn: Connection, messages: list[Incoming], calendar: CloseCalendar = CloseCalendar(),
                              clock: Callable[[], datetime] = utc_now) -> None:
    """Mark each commanded month closing; whoever sent it, a month that may not be closed yet is refused
    (MonthNotEnded: dead-lettered with the sentence saying from when it may be; replayed then, it closes
    the month)."""
    await apply_each(conn, messages, _request_close, calendar, clock)


async def _request_close(conn: Connection, message: Incoming, calendar: CloseCalendar,
                         clock: Callable[[], datetime]) -> None:
    command = cast(CloseBonusMonth, message.data)  # the delivery validated it against the topic's model
    month = parse_month(command.month)
    calendar.check_closable(month, clock())
    status = await closing.request_close(conn, month)
    log.info("month close requested", month=command.month, status=status)


class ChunkIncomplete(RuntimeError):
    """Pricing wrote fewer statements than the chunk has households; the chunk is rolled back."""


class PublisherPace:
    """How far the payouts' publisher is behind the chunks this close has priced, and whether it moves."""

    def __init__(self, month: date, config: CloseConfig) -> None:
        self.month, self.config = month, config
        self.unpublished: deque[close_pricing.Chunk] = deque()  # priced, payouts not yet all published
        self.moved_at = time.monotonic()  # when the publisher was last seen passing a chunk

    def priced(self, chunk: close_pricing.Chunk) -> None:
        self.unpublished.append(chunk)

    async def wait(self, pool) -> None:
        """Return once the publisher is within `publish_lag` households, or while it is stalled."""
        while True:
            async with pool.acquire() as conn:
                published, behind = await closing.payouts_behind(conn, self.month, list(self.unpublished))
            for _ in range(published):
                self.unpublished.popleft()
            if published or not self.unpublished:
                self.moved_at = time.monotonic()
            if behind <= self.config.publish_lag or time.monotonic() - self.moved_at > self.config.publisher_stalled_s:
                return
            await asyncio.sleep(0.05)


async def _price_chunks(pool, month: date, after: str, config: CloseConfig) -> None:
    """Price the month's households after `after`, chunk by chunk in key order, `config.chunks_in_flight`
    chunks at a time (PostgreSQL prices each in a session of its own) and no further ahead of the
    payouts' publisher than PublisherPace allows; each chunk commits only after the one before it: what is
    committed is always every household up to some key, so a crash resumes after the last statement and
    the publisher never reads past a gap."""
    tables = close_pricing.tables_json(*config.tables.in_force(month))
    in_flight: deque[asyncio.Task] = deque()
    pace = PublisherPace(month, config)
    try:
        while True:
            async with pool.acquire() as conn:
                chunk = await close_pricing.next_chunk(conn, month, after, config.chunk)
            if chunk is None:
                break
            await pace.wait(pool)
            previous = in_flight[-1] if in_flight else None
            in_flight.append(asyncio.create_task(_price_chunk(pool, month, chunk, config, tables, previous)))
            pace.priced(chunk)
            after = chunk.upper
            if len(in_flight) >= config.chunks_in_flight:
                await in_flight.popleft()
        while in_flight:
            await in_flight.popleft()
    finally:  # on a failure: the chunks still in flight are rolled back
        for task in in_flight:
            task.cancel()
        await asyncio.gather(*in_flight, return_exceptions=True)


async def _price_chunk(pool, month: date, chunk: close_pricing.Chunk, config: CloseConfig, tables: str,
                       previous: asyncio.Task | None) -> None:
    """Price a chunk under the month's tables (tables_json) and commit it once the chunk before it has
    committed; if that one failed, this one is rolled back too. The month's accruals no longer change
    while it is closing (purchases become adjustments), so the households counted are the ones priced."""
    async with pool.acquire() as conn, conn.transaction():
        written = await close_pricing.price_chunk(conn, month, chunk, tables, PAYMENT_METHOD_RATE_BP)
        if written != chunk.households:
            for cooperative in await close_pricing.cooperatives_of(conn, month, chunk):
                config.tables.table_for(cooperative, month)  # NoTierTableInForce names one without a table
            raise ChunkIncomplete(f"{written} statements for {chunk.households} households after {chunk.after!r}")
        if previous is not None:
            await previous


async def _pay_adjustments_chunk(pool, month: date, config: CloseConfig) -> int:
    async with pool.acquire() as conn, conn.transaction():
        rows = await closing.claim_adjustments(conn, month, config.chunk)
        groups: dict[tuple[str, date], list] = defaultdict(list)
        for row in rows:
            groups[(row["household_id"], row["month"])].append(row)
        rates = await closing.recorded_rates(conn, list(groups))
        payouts, events = [], []
        for (household, original), group in groups.items():
            delta = sum((totals_of(r) for r in group), MonthTotals())
            # A household without a statement for that month had no purchases when it closed: its
            # late purchases are priced on the month's table as they stand.
            rate = rates.get((household, original)) or config.tables.table_for(
                group[0]["cooperative_id"], original).rate_for(max(delta.tier_total_cents, 0))
            change = adjustment_for_closed_month(RecordedRate(rate), delta)
            payouts.append(closing.AdjustmentPayout(
                household_id=household, paid_in_month=month, month=original, rate_bp=rate,
                bonus_cents=change.bonus_cents, fuel_bonus_cents=change.fuel_bonus_cents,
                payment_method_benefit_cents=change.payment_method_benefit_cents))
            if change.total_cents:
                first = min(r["receipt_id"] for r in group)
                events.append(payout_event(household, original, payout_due(month), rate,
                                           [("adjustment", change.total_cents)],
                                           suffix=f":adjustment:{month_label(month)}:{first}"))
        await closing.write_adjustment_payouts(conn, payouts)
        await outbox.add(conn, await with_accounts_or_held(conn, events))
    return len(rows)


async def close_month(pool, month: date, config: CloseConfig) -> BonusMonthClosed | None:
    """Run the close of a month that is closing to its end; None if another closer has it or finished it."""
    async with pool.acquire() as lock:
        if not await closing.try_lock_close(lock, month):
            return None
        try:
            # A closer that listed the month while another was closing it may get the lock only after that
            # one closed it: it must not pay the adjustments booked since into the closed month's close.
            if await closing.month_status(lock, month) != "closing":
                return None
            return await _close_locked(pool, month, config)
        finally:
            await closing.unlock_close(lock, month)


async def _close_locked(pool, month: date, config: CloseConfig) -> BonusMonthClosed | None:
    async with pool.acquire() as conn:
        after = await closing.last_closed_household(conn, month)
    await _price_chunks(pool, month, after, config)
    while await _pay_adjustments_chunk(pool, month, config):
        pass
    async with pool.acquire() as conn, conn.transaction():
        totals = await closing.finish(conn, month)
        if totals is None:
            return None
    done = BonusMonthClosed(month=month_label(month), **dict(totals))
    log.info("month closed", month=done.month, households=done.households, paid_cents=done.paid_cents)
    return done  # announced on bonus.months.v1 once its statements are published (publish_close.py)


def month_closed_event(done: BonusMonthClosed) -> outbox.OutgoingEvent:
    envelope = Envelope(id=f"closed:{done.month}", source=SOURCE, type=BONUS_MONTHS.event_type, subject=done.month)
    return outbox.OutgoingEvent(BONUS_MONTHS.name, done.month, envelope, done)


async def run_closer(pool, config: CloseConfig, stop: asyncio.Event, poll_seconds: float = 0.5) -> None:
    """Background job: finish every month that is closing, including one a crash interrupted."""
    await periodically(stop, poll_seconds, partial(close_months_closing, pool, config))


async def close_months_closing(pool, config: CloseConfig) -> None:
    for month in await closing.months_closing(pool):
        await close_month(pool, month, config)
