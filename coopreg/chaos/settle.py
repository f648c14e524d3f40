"""Waiting for the register to finish what it was given, with a database that may be restarting."""
from __future__ import annotations

import asyncio
import time
from datetime import date

from coopreg.bench.environment import connect
from coopreg.chaos.observe import pipeline_progress
from services.bonus.adapters.close_publishing import MONTH_ANNOUNCED
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


async def query(settings: Settings, sql: str, *args):
    """One value, retried while the database is away."""
    return await _retried(settings, lambda conn: conn.fetchval(sql, *args))


async def wait_settled(settings: Settings, receipts: int, stall_seconds: float, say) -> dict[str, int]:
    """Until every valid receipt is stored, resolved and booked and both outboxes are empty; or until
    nothing moved for `stall_seconds` (then something was lost, and the report says what)."""
    last, moved = None, time.monotonic()
    while True:
        progress = await _retried(settings, pipeline_progress)
        if progress == {"stored": receipts, "unresolved": 0, "booked": receipts, "outbox": 0}:
            return progress
        if progress != last:
            last, moved = progress, time.monotonic()
        elif time.monotonic() - moved > stall_seconds:
            say(f"the register stopped moving before it was done: {progress}")
            return progress
        await asyncio.sleep(0.5)


async def wait_closed(settings: Settings, month: date, stall_seconds: float) -> str | None:
    deadline = time.monotonic() + stall_seconds
    while time.monotonic() < deadline:
        status = await query(settings, "SELECT status FROM bonus.months WHERE month = $1", month)
        if (status == "closed" and await query(settings, MONTH_ANNOUNCED.format(schema="bonus."), month)
                and not await query(settings, "SELECT EXISTS (SELECT 1 FROM bonus.outbox)")):
            return status  # every statement and payout published, and the adjustments and the month closed
        await asyncio.sleep(0.3)
    return await query(settings, "SELECT status FROM bonus.months WHERE month = $1", month)
