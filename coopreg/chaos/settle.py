"""Waiting for the register to finish what it was given, with a database that may be restarting."""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import date

from coopreg.bench.environment import connect
from coopreg.chaos.observe import pipeline_progress
from services.bonus.adapters import reads as bonus_reads
from shared.delivery import TRANSIENT
from shared.settings import Settings


async def _retried(settings: Settings, read):
    for attempt in range(60):
        try:
            conn = await connect(settings)
            try:
                return await read(conn)
            finally:
                await conn.close()
        except TRANSIENT:
            await asyncio.sleep(min(0.2 * 2 ** attempt, 2.0))
    raise TimeoutError("the database did not come back")


async def query(settings: Settings, read, *args):
    """`read(conn, *args)`, a service's read function, retried while the database is away."""
    return await _retried(settings, lambda conn: read(conn, *args))


async def until_reached(progress: Callable[[], Awaitable[dict[str, int]]], target: dict[str, int],
                        stall_seconds: float, stalled: Callable[[dict[str, int]], None]) -> dict[str, int]:
    """Read `progress` until it is `target`; or until it did not move for `stall_seconds`, when `stalled`
    is told where it stopped (something was lost, and the report says what)."""
    last, moved = None, time.monotonic()
    while True:
        now = await progress()
        if now == target:
            return now
        if now != last:
            last, moved = now, time.monotonic()
        elif time.monotonic() - moved > stall_seconds:
            stalled(now)
            return now
        await asyncio.sleep(0.5)


async def wait_settled(settings: Settings, receipts: int, stall_seconds: float, say) -> dict[str, int]:
    """Until every valid receipt is stored, resolved and booked and both outboxes are empty."""
    return await until_reached(lambda: _retried(settings, pipeline_progress),
                               {"stored": receipts, "unresolved": 0, "booked": receipts, "outbox": 0}, stall_seconds,
                               lambda now: say(f"the register stopped moving before it was done: {now}"))


async def wait_closed(settings: Settings, month: date, stall_seconds: float) -> str | None:
    deadline = time.monotonic() + stall_seconds
    while time.monotonic() < deadline:
        status = await query(settings, bonus_reads.month_status, month)
        if (status == "closed" and await query(settings, bonus_reads.month_announced, month)
                and await query(settings, bonus_reads.outbox_empty)):
            return status  # every statement and payout published, and the adjustments and the month closed
        await asyncio.sleep(0.3)
    return await query(settings, bonus_reads.month_status, month)
