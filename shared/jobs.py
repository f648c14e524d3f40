"""Background jobs of a service (the outbox relay, the month closer, sweeps), kept running for its life.

A job is an async function of the stop event; a periodic one is a round run `periodically`. One
failure policy for all of them, here and nowhere else: a job that raises — its database restarted under
it, its broker away longer than the client retries, a bug — would otherwise end silently while the process
lives on and keeps consuming (events piling up unpublished, a month staying closing). `keep_running`,
which runs every job, logs the failure (its type only: never personal data) and starts the job again after
a backoff, until the service stops; so a periodic job's failed round is tried again within seconds, not a
period later. Jobs and rounds do not catch failures themselves.
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator, Awaitable, Callable, TypeVar

import asyncpg

from shared.db import Connection
from shared.logging import get_logger

Job = Callable[[asyncio.Event], Awaitable[None]]
T = TypeVar("T")


def job_name(job: Job) -> str:
    return getattr(getattr(job, "func", job), "__qualname__", repr(job))


async def keep_running(job: Job, stop: asyncio.Event, max_pause: float = 5.0) -> None:
    """Run `job` until the service stops, starting it again after each failure: after 0.4 s, doubling up to
    `max_pause`; a job that ran longer than `max_pause` before failing starts over from the shortest."""
    log = get_logger(job=job_name(job))
    loop = asyncio.get_running_loop()
    failures = 0
    while not stop.is_set():
        started = loop.time()
        try:
            await job(stop)
            return
        except Exception as error:  # noqa: BLE001 - every failure of a job is survived and logged
            failures = 1 if loop.time() - started > max_pause else failures + 1
            log.warning("background job failed, starting it again", error=type(error).__name__,
                        failures=failures)
            await pause(stop, min(0.2 * 2 ** failures, max_pause))


async def periodically(stop: asyncio.Event, every: float, once: Callable[[], Awaitable[T]],
                 more: Callable[[T], bool] | None = None) -> None:
    """Run `once` now and then every `every` seconds until the service stops; with `more`, at once again
    while `more(result)` says it left work behind (a full batch). Its failure is not caught here:
    it ends the job, which `keep_running` starts again."""
    while not stop.is_set():
        result = await once()
        if more is None or not more(result):
            await pause(stop, every)


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if the service stops."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        pass


@asynccontextmanager
async def elected(pool: asyncpg.Pool, name: str, stop: asyncio.Event,
                  every: float = 1.0) -> AsyncIterator[Connection | None]:
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
