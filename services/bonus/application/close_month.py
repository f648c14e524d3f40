"""Use case: close a Bonus month — price every household's month once and stage its payouts.

Closing is requested by a command (`CloseBonusMonth`), which only marks the month closing; from then on
purchases for it become adjustments. The closer job (one per month at a time, by an advisory lock) walks
the households in key order in chunks; each chunk's statements and payout events commit together, so
closing twice pays once and a crash mid-close resumes after the last statement written. Adjustments to earlier months
are paid with the close at their recorded rate. The month is closed when nothing is left to claim.
"""
from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from contracts.envelope import Envelope
from contracts.events.bonus import BonusMonthClosed, BonusPayout, CloseBonusMonth, PayoutTransaction
from contracts.topics import BONUS_MONTHS, BONUS_PAYOUTS
from services.bonus.adapters import closing, households
from services.bonus.application.month_to_date import totals_of
from services.bonus.domain import (
    MonthTotals, TierTables, adjustment_for_closed_month, compute_month, split_payout,
)
from services.bonus.domain.months import month_label, month_of, parse_month, payout_due
from shared import outbox
from shared.delivery import Incoming
from shared.logging import get_logger

SOURCE = "coopreg/bonus"
log = get_logger(use_case="close_month")


@dataclass(frozen=True)
class CloseConfig:
    tables: TierTables
    chunk: int = 5000


@dataclass(frozen=True)
class RecordedRate:
    rate_bp: int


def payout_event(household: str, month: date, due_on: date, rate_bp: int, transactions: list[tuple[str, int]],
                 contribution_cents: int = 0, suffix: str = "", at: datetime | None = None) -> outbox.OutgoingEvent:
    """One payout message per household and month; the id is the payout id, stable across re-runs."""
    payout_id = f"{household}:{month_label(month)}{suffix}"
    envelope = Envelope(id=f"payout:{payout_id}", source=SOURCE, type=BONUS_PAYOUTS.event_type, subject=household,
                        **({"time": at} if at else {}))
    data = BonusPayout(payout_id=payout_id, household_id=household, month=month_label(month), rate_bp=rate_bp,
                       due_on=due_on, contribution_cents=contribution_cents,
                       transactions=[PayoutTransaction(kind=kind, amount_cents=cents) for kind, cents in transactions])
    return outbox.OutgoingEvent(BONUS_PAYOUTS.name, household, envelope, data)


@dataclass
class Pricing:
    """What pricing a chunk of households needs once, not per household."""

    month: date
    tables: TierTables
    households: dict = field(default_factory=dict)
    at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    _tables: dict = field(default_factory=dict)

    def cooperative(self, row) -> str:
        """The household's cooperative from the month of a transfer on (the whole month counts in the new
        one); before the membership service has told, the cooperative its cards were ordered under."""
        household = self.households.get(row["household_id"])
        if household is not None and month_of(household["cooperative_from"]) <= self.month:
            return household["cooperative_id"]
        return row["cooperative_id"]

    def open_contribution(self, household_id: str) -> int:
        household = self.households.get(household_id)
        return household["open_contribution_cents"] if household is not None else 0

    @property
    def due_on(self) -> date:
        return payout_due(self.month)

    def table(self, cooperative: str):
        if cooperative not in self._tables:
            self._tables[cooperative] = self.tables.table_for(cooperative, self.month)
        return self._tables[cooperative]


def price_household(row, pricing: Pricing) -> tuple[tuple, list[outbox.OutgoingEvent]]:
    household, cooperative = row["household_id"], pricing.cooperative(row)
    table = pricing.table(cooperative)
    result = compute_month(table, totals_of(row))
    split = split_payout(result.bonus_cents, result.fuel_bonus_cents, result.payment_method_benefit_cents,
                         pricing.open_contribution(household))
    paid = bool(split.transactions or split.contribution_cents)
    statement = (household, pricing.month, cooperative, table.name, result.rate_bp,
                 result.tier_total_cents, result.bonus_cents, result.fuel_bonus_cents,
                 result.payment_method_benefit_cents, split.contribution_cents, int(paid))
    if not paid:
        return statement, []
    return statement, [payout_event(household, pricing.month, pricing.due_on, result.rate_bp,
                                    [(str(t.kind), t.cents) for t in split.transactions],
                                    split.contribution_cents, at=pricing.at)]


async def request_month_close(conn, messages: list[Incoming]) -> None:
    for message in messages:
        command: CloseBonusMonth = message.data
        status = await closing.request_close(conn, parse_month(command.month))
        log.info("month close requested", month=command.month, status=status)


async def _close_chunk(pool, month: date, after: str, config: CloseConfig) -> str | None:
    """Close the next chunk of households; return the last household id, or None when none were left."""
    async with pool.acquire() as conn, conn.transaction():
        rows = await closing.next_accruals(conn, month, after, config.chunk)
        known = await households.of(conn, [row["household_id"] for row in rows])
        pricing = Pricing(month, config.tables, known)
        priced = [price_household(row, pricing) for row in rows]
        await closing.write_statements(conn, [statement for statement, _ in priced])
        await outbox.add(conn, [event for _, events in priced for event in events])
    return max((row["household_id"] for row in rows), default=None)


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
            payouts.append((household, month, original, rate, change.bonus_cents, change.fuel_bonus_cents,
                            change.payment_method_benefit_cents))
            if change.total_cents:
                first = min(r["receipt_id"] for r in group)
                events.append(payout_event(household, original, payout_due(month), rate,
                                           [("adjustment", change.total_cents)],
                                           suffix=f":adjustment:{month_label(month)}:{first}"))
        await closing.write_adjustment_payouts(conn, payouts)
        await outbox.add(conn, events)
    return len(rows)


async def close_month(pool, month: date, config: CloseConfig) -> BonusMonthClosed | None:
    """Run the close of a month that is closing to its end; None if another closer has it or finished it."""
    async with pool.acquire() as lock:
        if not await closing.try_lock_close(lock, month):
            return None
        try:
            return await _close_locked(pool, month, config)
        finally:
            await closing.unlock_close(lock, month)


async def _close_locked(pool, month: date, config: CloseConfig) -> BonusMonthClosed | None:
    async with pool.acquire() as conn:
        after: str | None = await closing.last_closed_household(conn, month)
    while after is not None:
        after = await _close_chunk(pool, month, after, config)
    while await _pay_adjustments_chunk(pool, month, config):
        pass
    async with pool.acquire() as conn, conn.transaction():
        totals = await closing.finish(conn, month)
        if totals is None:
            return None
        done = BonusMonthClosed(month=month_label(month), **dict(totals))
        envelope = Envelope(id=f"closed:{done.month}", source=SOURCE,
                            type=BONUS_MONTHS.event_type, subject=done.month)
        await outbox.add(conn, [outbox.OutgoingEvent(BONUS_MONTHS.name, done.month, envelope, done)])
    log.info("month closed", month=done.month, households=done.households, paid_cents=done.paid_cents)
    return done


async def run_closer(pool, config: CloseConfig, stop: asyncio.Event, poll_seconds: float = 0.5) -> None:
    """Background job: finish every month that is closing, including one a crash interrupted."""
    while not stop.is_set():
        for month in await closing.months_closing(pool):
            await close_month(pool, month, config)
        try:
            await asyncio.wait_for(stop.wait(), poll_seconds)
        except asyncio.TimeoutError:
            pass
