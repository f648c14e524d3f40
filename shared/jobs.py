"""Background jobs of a service (the outbox relay, the month closer, sweeps), kept running for its life.

A job is an async function of the stop event. A job that raises — its database restarted under it, its
broker away longer than the client retries — would otherwise end silently while the process lives on and
keeps consuming: events would pile up unpublished, a month would stay closing. `keep_running` logs the
failure and starts the job again after a short pause, until the service stops.
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator, Awaitable, Callable

import asyncpg

from shared.logging import get_logger

Job = Callable[[asyncio.Event], Awaitable[None]]


def job_name(job: Job) -> str:
    return getattr(getattr(job, "func", job), "__qualname__", repr(job))


async def keep_running(job: Job, stop: asyncio.Event, max_pause: float = 5.0) -> None:
    log = get_logger(job=job_name(job))
    failures = 0
    while not stop.is_set():
        try:
            await job(stop)
            return
        except Exception as error:  # noqa: BLE001 - every failure of a job is survived and logged
            failures += 1
            log.warning("background job failed, starting it again", error=type(error).__name__,
                        failures=failures)
            await pause(stop, min(0.2 * 2 ** failures, max_pause))


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if the service stops."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass


@asynccontextmanager
async def elected(pool: asyncpg.Pool, name: str, stop: asyncio.Event,
                  every: float = 1.0) -> AsyncIterator[asyncpg.Connection | None]:
    """Run as the one instance doing `name` (a session advisory lock elects it): yields the session that
    holds the lock, to work on, or None if the service stopped before it was elected. When a database
    restart ends the session, the lock goes with it and working on it fails: the job is elected anew
    instead of going on beside another instance."""
    async with pool.acquire() as conn:
        while not stop.is_set():
            if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext($1))", name):
                break
            await pause(stop, every)
        else:
            yield None
            return
        try:
            yield conn
        finally:
            await conn.execute("SELECT pg_advisory_unlock_all()")
