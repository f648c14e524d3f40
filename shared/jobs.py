"""Background jobs of a service (the outbox relay, the month closer, sweeps), kept running for its life.

A job is an async function of the stop event. A job that raises — its database restarted under it, its
broker away longer than the client retries — would otherwise end silently while the process lives on and
keeps consuming: events would pile up unpublished, a month would stay closing. `keep_running` logs the
failure and starts the job again after a short pause, until the service stops.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

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
            try:
                await asyncio.wait_for(stop.wait(), min(0.2 * 2 ** failures, max_pause))
            except asyncio.TimeoutError:
                pass
