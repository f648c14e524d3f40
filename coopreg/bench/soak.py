"""`coopreg soak --minutes N`: the receipt path (purchases and bonus) at a steady rate for N minutes on the local real
stack, one of the two services restarted (SIGTERM, started again) every `restart_every` seconds, in turn.

Every `sample_seconds` a sample, one JSON line: each service's resident memory and open file descriptors (from
/proc), the PostgreSQL sessions of the run's database (pg_stat_activity), and the consumer lag of each service
(the topic's end offsets less its group's committed offsets, read from the broker). The last line is the
summary: each series' least-squares slope per minute (flat, near 0, is no leak), its first and last value and
its maximum, and the publish-to-stored p50/p99 of every receipt offered. A restarted process's memory starts
again from nothing, so memory and descriptors are fitted only on samples of processes up for at least
`WARM_SECONDS` (a saw-tooth of restarts is not a leak; a climb within each life is).
"""
from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable

import asyncpg

from contracts.topics import POS_PURCHASES, PURCHASES_ACCEPTED
from coopreg.bench.environment import ServiceUnderTest, connect, isolated_settings
from coopreg.bench.ingest import Offsets
from coopreg.bench.load import Offered, live_population, offer_receipts, quantiles_ms, stored_delays_ms
from coopreg.client import RegisterClient
from services.purchases.adapters import reads as purchases_reads
from shared.settings import Settings

WARM_SECONDS = 20
HOUSEHOLDS = 2000
GROUPS = {"purchases": POS_PURCHASES, "bonus": PURCHASES_ACCEPTED}  # each service's group and what it consumes


def slope_per_minute(points: list[tuple[float, float]]) -> float | None:
    """The least-squares slope of (seconds, value) points, per minute; None for fewer than three points."""
    if len(points) < 3 or len({t for t, _ in points}) < 2:
        return None
    return round(statistics.linear_regression([t / 60 for t, _ in points], [v for _, v in points]).slope, 3)


class Soak:
    def __init__(self, settings: Settings, services: dict[str, ServiceUnderTest], conn: asyncpg.Connection,
                 offsets: dict[str, Offsets]) -> None:
        self.settings, self.services, self.conn, self.offsets = settings, services, conn, offsets
        self.started_at = {name: time.monotonic() for name in services}
        self.samples: list[dict] = []
        self.restarts = 0

    async def sample(self, t: float) -> dict:
        lag = await self.lag()
        sessions = await self.conn.fetchval("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                            " AND pid <> pg_backend_pid()")
        now = time.monotonic()
        sample = {"t_s": round(t, 1),
                  "rss_mb": {name: round(s.rss_bytes() / 2**20, 1) for name, s in self.services.items()},
                  "fds": {name: s.open_fds() for name, s in self.services.items()},
                  "up_s": {name: round(now - self.started_at[name]) for name in self.services},
                  "pg_sessions": sessions, "lag": lag, "restarts": self.restarts}
        self.samples.append(sample)
        return sample

    async def lag(self) -> dict[str, int]:
        return {name: await self.offsets[name].published() - await self.offsets[name].committed(name)
                for name in GROUPS}

    async def drained(self, timeout: float) -> None:
        """Until no receipt waits for its card, no accepted event waits in the purchases outbox, and both groups
        have committed everything (bonus books after purchases stored and published). Lag 0 before the first
        two is not the end: a receipt stored while its card was being written is published only by the
        purchases service's sweep, a few seconds later, and an event staged is on the topic only once relayed."""
        deadline = time.monotonic() + timeout
        while await self._still_to_come() or any((await self.lag()).values()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"consumer lag not drained in {timeout} s: {await self.lag()}")
            await asyncio.sleep(0.5)

    async def _still_to_come(self) -> int:
        progress = await purchases_reads.storing_progress(self.conn)
        return progress.unresolved + progress.outbox

    def restart(self, name: str) -> None:
        service = self.services[name]
        service.stop()
        service.start()
        self.started_at[name] = time.monotonic()
        self.restarts += 1

    def trends(self) -> dict:
        """Per series: slope per minute, first, last, max."""
        series: dict[str, list[tuple[float, float]]] = {}
        for s in self.samples:
            for name in self.services:
                if s["up_s"][name] >= WARM_SECONDS:
                    series.setdefault(f"rss_mb.{name}", []).append((s["t_s"], s["rss_mb"][name]))
                    series.setdefault(f"fds.{name}", []).append((s["t_s"], s["fds"][name]))
                series.setdefault(f"lag.{name}", []).append((s["t_s"], s["lag"][name]))
            series.setdefault("pg_sessions", []).append((s["t_s"], s["pg_sessions"]))
        return {key: {"slope_per_min": slope_per_minute(points), "first": points[0][1], "last": points[-1][1],
                      "max": max(v for _, v in points)} for key, points in series.items()}


async def soak(minutes: float, rate: int, restart_every: float, sample_seconds: float, say,
               emit: Callable[[dict], None]) -> dict:
    settings = await isolated_settings("soak")
    purchases = ServiceUnderTest("purchases").start()
    bonus = ServiceUnderTest("bonus").start()
    services = {"purchases": purchases, "bonus": bonus}
    conn = await connect(settings)
    offered, halt = Offered(), asyncio.Event()
    try:
        async with RegisterClient(settings) as client, Offsets(settings, POS_PURCHASES) as pos, \
                Offsets(settings, PURCHASES_ACCEPTED) as accepted:
            say(f"a live population's cards for purchases; then {rate} receipts/s for {minutes:g} min, "
                f"a restart every {restart_every:g} s")
            people = await live_population(client, purchases, conn, HOUSEHOLDS, "soak",
                                           settings.secrets.index_key.get_secret_value())
            bonus.wait_ready()
            run = Soak(settings, services, conn, {"purchases": pos, "bonus": accepted})
            sending = asyncio.create_task(offer_receipts(client, people, rate, halt, offered, "soak"))
            start = time.monotonic()
            next_sample, next_restart, turn = start, start + restart_every, 0
            while (now := time.monotonic()) < start + minutes * 60:
                if now >= next_restart:
                    name = ("purchases", "bonus")[turn % 2]
                    await asyncio.to_thread(run.restart, name)
                    turn, next_restart = turn + 1, next_restart + restart_every
                if now >= next_sample:
                    emit(await run.sample(now - start))
                    next_sample += sample_seconds
                if sending.done():
                    sending.result()  # the reason it stopped
                await asyncio.sleep(0.2)
            halt.set()
            await sending
            say("every offered receipt stored and booked; the last sample")
            delays = await stored_delays_ms(conn, offered, timeout=300)
            await run.drained(120)
            emit(await run.sample(time.monotonic() - start))
    finally:
        halt.set()
        await conn.close()
        for service in services.values():
            service.stop()
    p50, p99 = quantiles_ms(delays)
    return {"minutes": minutes, "rate_per_s": rate, "receipts_offered": len(offered.sent_at),
            "receipts_stored": len(delays), "restarts": run.restarts, "samples": len(run.samples),
            "latency_p50_ms": p50, "latency_p99_ms": p99, "trends": run.trends(),
            "peak_rss_mb": {name: round(s.peak_rss / 2**20) for name, s in services.items()}}
