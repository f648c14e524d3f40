"""`coopreg bench close`: a realistic month for millions of households, closed by the bonus service.

The month's accruals are loaded with COPY (the ingestion benchmark measures how they get there); the
clock runs from the close command to the month closed with every payout published (the bonus outbox
empty), and the payouts on the topic are counted from its offsets.
"""
from __future__ import annotations

import asyncio
import random
import time
from datetime import date, datetime, timezone

from aiokafka import AIOKafkaConsumer

from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS, BONUS_PAYOUTS
from coopreg.bench.environment import ServiceUnderTest, connect, isolated_settings
from coopreg.client import RegisterClient
from coopreg.simulate.population import COOPERATIVES, WEIGHTS
from services.bonus.domain.months import month_label
from services.registry import SERVICES
from shared.runtime import open_pool

MONTH = date(2026, 10, 1)
LAST_PURCHASE = datetime(2026, 10, 31, 12, tzinfo=timezone.utc)
COLUMNS = ("household_id", "month", "cooperative_id", "bonus_cents", "double_cents", "fuel_cents",
           "fuel_millilitres", "payment_method_cents", "receipts", "last_purchase_at")


def accrual_rows(households: int, seed: int = 5):
    rng = random.Random(seed)
    cooperatives = rng.choices(COOPERATIVES, weights=WEIGHTS, k=1024)
    for h in range(households):
        spend = min(int(rng.lognormvariate(10.4, 0.75)), 400000)
        fuel = int(spend * 0.15) if h % 5 == 0 else 0
        double = int(spend * 0.1) if h % 7 == 0 else 0
        yield (f"h{h}", MONTH, cooperatives[h % 1024], spend - fuel - double, double, fuel, fuel * 1000 // 185,
               spend * 2 // 5 if h % 2 else 0, 12, LAST_PURCHASE)


async def load_month(settings, households: int, say) -> float:
    pool = await open_pool(settings, SERVICES["bonus"])
    start = time.perf_counter()
    try:
        rows, batch = accrual_rows(households), []
        async with pool.acquire() as conn:
            for row in rows:
                batch.append(row)
                if len(batch) == 100_000:
                    await conn.copy_records_to_table("accruals", records=batch, columns=list(COLUMNS))
                    batch.clear()
            if batch:
                await conn.copy_records_to_table("accruals", records=batch, columns=list(COLUMNS))
            await conn.execute("ANALYZE accruals")
    finally:
        await pool.close()
    return time.perf_counter() - start


async def published_payouts(settings) -> int:
    name = settings.kafka.topic(BONUS_PAYOUTS.name)
    consumer = AIOKafkaConsumer(name, bootstrap_servers=settings.kafka.bootstrap_servers, group_id=None)
    await consumer.start()
    try:
        while not consumer.assignment():
            await consumer.getmany(timeout_ms=100, max_records=1)
        return sum((await consumer.end_offsets(list(consumer.assignment()))).values())
    finally:
        await consumer.stop()


async def bench_close(households: int, say) -> dict:
    settings = await isolated_settings("bench_close")
    say(f"loading a month of accruals for {households:,} households")
    load_s = await load_month(settings, households, say)
    bonus = ServiceUnderTest("bonus").start()
    conn = await connect(settings, "bonus")
    try:
        bonus.wait_ready()
        say("closing the month")
        async with RegisterClient(settings) as client:
            start = time.perf_counter()
            await client.send(BONUS_COMMANDS, month_label(MONTH), CloseBonusMonth(month=month_label(MONTH)))
            await client.flush()
        while await conn.fetchval("SELECT status FROM months WHERE month = $1", MONTH) != "closed":
            await asyncio.sleep(0.2)
        priced = time.perf_counter() - start
        while await conn.fetchval("SELECT EXISTS (SELECT 1 FROM outbox)"):
            await asyncio.sleep(0.2)
        seconds = time.perf_counter() - start
        closed = await conn.fetchrow("SELECT count(*) AS households, sum(payouts) AS payouts FROM statements")
    finally:
        await conn.close()
        bonus.stop()
    published = await published_payouts(settings)
    return {"households": households, "seconds": round(seconds, 2), "households_per_s": round(households / seconds),
            "priced_seconds": round(priced, 2), "statements": closed["households"], "payouts_published": published,
            "payouts_expected": int(closed["payouts"] or 0), "load_seconds": round(load_s, 1),
            "peak_rss_mb": round(bonus.peak_rss / 2**20)}
