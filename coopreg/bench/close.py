"""`coopreg bench close`: a realistic month for millions of households, closed by the bonus service.

The month's accruals and statement parts (members, purchases by the outlet's cooperative, exclusions)
are loaded with COPY and vacuumed, as autovacuum keeps them through a month (the ingestion benchmark
measures how they get there). The clock runs from the close command to the month closed with every
payout published (`seconds`, the target's measure), and on to every statement published too and the
close announced (`announced_seconds`, the bonus outbox empty); the events on the topics are counted from
their offsets.

With `--while-ingesting RATE` the purchases service runs too, with the cards of a live population, and RATE
receipts a second keep arriving from before the close until it is announced, one in ten a late receipt of the
closing month; the publish-to-stored delays of those offered during the close give
`ingest_p99_ms_during_close` (and p50, the count, the late ones). Bonus books them beside the close.
"""
from __future__ import annotations

import asyncio
import random
import time
from datetime import date, datetime, timezone

import asyncpg
import orjson
from aiokafka import AIOKafkaConsumer

from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS, BONUS_PAYOUTS, BONUS_STATEMENTS
from coopreg.bench.environment import ServiceUnderTest, connect, isolated_settings, stack_cpu_seconds
from coopreg.bench.load import Offered, live_population, offer_receipts, quantiles_ms, stored_delays_ms
from coopreg.client import RegisterClient
from coopreg.simulate.population import COOPERATIVES, WEIGHTS
from services.bonus.adapters import reads as bonus_reads
from services.bonus.domain.months import month_label
from services.registry import SERVICES
from shared.runtime import open_pool

MONTH = date(2026, 10, 1)
LAST_PURCHASE = datetime(2026, 10, 31, 12, tzinfo=timezone.utc)
COLUMNS = ("household_id", "month", "cooperative_id", "bonus_cents", "double_cents", "fuel_cents",
           "fuel_millilitres", "payment_method_cents", "receipts", "last_purchase_at")


PARTS = {"accruals": COLUMNS,
         "accrual_members": ("month", "household_id", "person_id", "receipts", "bonus_eligible_cents"),
         "accrual_outlet_cooperatives": ("month", "household_id", "outlet_cooperative_id", "bonus_eligible_cents"),
         "accrual_exclusions": ("month", "household_id", "reason", "cents"),
         "households": ("household_id", "version", "status", "cooperative_id", "cooperative_from",
                        "open_contribution_cents"),
         "household_accounts": ("household_id", "version", "benefit_account")}
MEMBER_SINCE = datetime(2019, 12, 31, 22, tzinfo=timezone.utc)


def _account(household: str) -> str:
    """The main member's benefit account as membership names it: the payout carries it (a synthetic sealed
    IBAN of the right size; the bench opens nothing)."""
    return orjson.dumps({"account_ref": f"acct-{household}", "account_type": "current_account", "last_four": "0123",
                         "valid_from": MEMBER_SINCE.isoformat(), "sealed_for": f"{household}-p0",
                         "iban_sealed": "A" * 64}).decode()


def month_rows(households: int, seed: int = 5):
    """Per household: its accrual, what its statement needs (one to three members, purchases at its own
    cooperative's outlets and sometimes another's, alcohol or tobacco excluded for some) and the
    membership service's household (cooperative, open contribution), by table."""
    rng = random.Random(seed)
    cooperatives = rng.choices(COOPERATIVES, weights=WEIGHTS, k=1024)
    for h in range(households):
        household, cooperative = f"h{h}", cooperatives[h % 1024]
        spend = min(int(rng.lognormvariate(10.4, 0.75)), 400000)
        fuel = int(spend * 0.15) if h % 5 == 0 else 0
        double = int(spend * 0.1) if h % 7 == 0 else 0
        eligible = spend - fuel
        yield "accruals", (household, MONTH, cooperative, spend - fuel - double, double, fuel, fuel * 1000 // 185,
                           spend * 2 // 5 if h % 2 else 0, 12, LAST_PURCHASE)
        members = 1 + h % 3
        for m in range(members):
            yield "accrual_members", (MONTH, household, f"{household}-p{m}", 12 // members,
                                      eligible // members + (eligible % members if m == 0 else 0))
        elsewhere = eligible // 5 if h % 4 == 0 else 0
        yield "accrual_outlet_cooperatives", (MONTH, household, cooperative, eligible - elsewhere)
        if elsewhere:
            other = COOPERATIVES[(COOPERATIVES.index(cooperative) + 1) % len(COOPERATIVES)]
            yield "accrual_outlet_cooperatives", (MONTH, household, other, elsewhere)
        # the membership service's view: a few still paying their capital contribution
        yield "households", (household, 1, "active", cooperative, MEMBER_SINCE, 8000 if h % 50 == 0 else 0)
        yield "household_accounts", (household, 1, _account(household))
        if h % 3 == 0:
            yield "accrual_exclusions", (MONTH, household, "alcohol", spend // 12)
        if h % 10 == 0:
            yield "accrual_exclusions", (MONTH, household, "tobacco", 1190)


async def load_month(settings, households: int, say) -> float:
    pool = await open_pool(settings, SERVICES["bonus"])
    start = time.perf_counter()
    try:
        batches: dict[str, list] = {table: [] for table in PARTS}
        async with pool.acquire() as conn:
            for table, row in month_rows(households):
                batch = batches[table]
                batch.append(row)
                if len(batch) == 100_000:
                    await conn.copy_records_to_table(table, records=batch, columns=list(PARTS[table]))
                    batch.clear()
            for table, batch in batches.items():
                if batch:
                    await conn.copy_records_to_table(table, records=batch, columns=list(PARTS[table]))
                # Through a month, autovacuum keeps the accrual tables (updated by every purchase) vacuumed;
                # freshly copied ones would instead be vacuumed during the close, setting every row's hint
                # bits and visibility at once, in the close's time: that is the load's work.
                await conn.execute(f"VACUUM (ANALYZE) {table}")
    finally:
        await pool.close()
    return time.perf_counter() - start


async def published(settings, topic) -> int:
    name = settings.kafka.topic(topic.name)
    consumer = AIOKafkaConsumer(name, bootstrap_servers=settings.kafka.bootstrap_servers, group_id=None)
    await consumer.start()
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=100, max_records=1)
        return sum((await consumer.end_offsets(list(consumer.assignment()))).values())
    finally:
        await consumer.stop()


async def _until(read, every: float = 0.2) -> None:
    """Until `read()`, a service's read, is true."""
    while not await read():
        await asyncio.sleep(every)


async def _equals(read, expected) -> bool:
    return await read == expected


def _cpu_used(bonus: ServiceUnderTest, service_before: float, stack_before: dict[str, float]) -> dict[str, float]:
    """CPU seconds used since the close was requested: the bonus service's, the broker's, PostgreSQL's."""
    stack = stack_cpu_seconds()
    return {"bonus": round(bonus.cpu_seconds() - service_before, 1),
            **{part: round(stack[part] - stack_before[part], 1) for part in stack}}


WARM_UP_SECONDS = 3
LIVE_HOUSEHOLDS = 2000


class Live:
    """Receipts arriving while the month closes: the purchases service running with a live population's cards,
    the bench offering `rate` receipts a second, one in ten of them late (bought in the closing month)."""

    def __init__(self, rate: int, client: RegisterClient, purchases: ServiceUnderTest, conn: asyncpg.Connection,
                 people) -> None:
        self.rate, self.client, self.purchases, self.conn, self.people = rate, client, purchases, conn, people
        self.offered, self.halt = Offered(), asyncio.Event()
        self.task: asyncio.Task | None = None

    @classmethod
    async def start(cls, settings, rate: int) -> "Live":
        client = await RegisterClient(settings).__aenter__()
        purchases = ServiceUnderTest("purchases").start()
        conn = await connect(settings)
        index_key = settings.secrets.index_key.get_secret_value()
        people = await live_population(client, purchases, conn, LIVE_HOUSEHOLDS, "live", index_key)
        return cls(rate, client, purchases, conn, people)

    def offer(self) -> None:
        self.task = asyncio.create_task(offer_receipts(self.client, self.people, self.rate, self.halt, self.offered,
                                                       "live", late_month=MONTH))

    async def finish(self) -> dict:
        """Stop offering; every receipt offered since the close began stored: its delays."""
        self.halt.set()
        if self.task:
            await self.task
        delays = await stored_delays_ms(self.conn, self.offered)
        p50, p99 = quantiles_ms(delays)
        return {"ingest_rate_during_close": self.rate, "ingest_receipts_during_close": len(delays),
                "ingest_late_receipts_during_close": self.offered.late, "ingest_p50_ms_during_close": p50,
                "ingest_p99_ms_during_close": p99, "purchases_peak_rss_mb": round(self.purchases.peak_rss / 2**20)}

    async def stop(self) -> None:
        self.halt.set()
        if self.task and not self.task.done():
            self.task.cancel()
        self.purchases.stop()
        await self.conn.close()
        await self.client.__aexit__(None, None, None)


async def bench_close(households: int, say, while_ingesting: int = 0) -> dict:
    settings = await isolated_settings("bench_close")
    say(f"loading a month of accruals for {households:,} households")
    load_s = await load_month(settings, households, say)
    bonus = ServiceUnderTest("bonus").start()
    conn = await connect(settings, "bonus")
    live: Live | None = None
    try:
        if while_ingesting:
            say(f"purchases running with a live population's cards: {while_ingesting} receipts/s during the close")
            live = await Live.start(settings, while_ingesting)
        bonus.wait_ready()
        say("closing the month")
        cpu_before, stack_before = bonus.cpu_seconds(), stack_cpu_seconds()
        async with RegisterClient(settings) as client:
            if live:
                live.offer()
                await asyncio.sleep(WARM_UP_SECONDS)  # the live traffic steady before the close begins
                live.offered.sent_at.clear()
                live.offered.late = 0
            start = time.perf_counter()
            await client.send(BONUS_COMMANDS, month_label(MONTH), CloseBonusMonth(month=month_label(MONTH)))
            await client.flush()
        await _until(lambda: _equals(bonus_reads.month_status(conn, MONTH), "closed"))
        priced = time.perf_counter() - start
        await _until(lambda: bonus_reads.payouts_published(conn, MONTH))
        seconds = time.perf_counter() - start  # the close with every payout published
        cpu_to_payouts = _cpu_used(bonus, cpu_before, stack_before)
        await _until(lambda: bonus_reads.month_announced(conn, MONTH))  # every statement published too
        await _until(lambda: bonus_reads.outbox_empty(conn))  # and the announcement
        all_seconds = time.perf_counter() - start
        cpu_to_announced = _cpu_used(bonus, cpu_before, stack_before)
        closed = await bonus_reads.closed_statements(conn)
        during = await live.finish() if live else {}
    finally:
        if live:
            await live.stop()
        await conn.close()
        bonus.stop()
    return {"households": households, "seconds": round(seconds, 2), "households_per_s": round(households / seconds),
            "priced_seconds": round(priced, 2), "announced_seconds": round(all_seconds, 2),
            "statements": closed.households, "payouts_published": await published(settings, BONUS_PAYOUTS),
            "payouts_expected": int(closed.payouts or 0),
            "statements_published": await published(settings, BONUS_STATEMENTS),
            "cpu_seconds": cpu_to_payouts, "cpu_seconds_to_announced": cpu_to_announced,
            "load_seconds": round(load_s, 1), "peak_rss_mb": round(bonus.peak_rss / 2**20), **during}
