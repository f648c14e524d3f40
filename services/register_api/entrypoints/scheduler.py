"""The retention job on a schedule inside the API process: one instance at a time (advisory lock), every
`COOPREG_API_RETENTION_EVERY_HOURS`; each service reports what it erased, kept in retention_runs."""
from __future__ import annotations

import asyncio
from functools import partial

from services.register_api.application.context import RegisterApi
from services.register_api.application.retention_run import run_retention
from shared.jobs import periodically
from shared.logging import get_logger

log = get_logger(component="retention-schedule")


async def request_retention_run(api: RegisterApi) -> None:
    """Run the retention job, unless another instance is running it right now."""
    async with api.own.acquire() as conn:
        if await conn.fetchval("SELECT pg_try_advisory_lock(hashtext('register_api:retention'))"):
            try:
                report = await run_retention(api, "scheduler")
                log.info("retention run requested", run_id=report["run_id"])
            finally:
                await conn.execute("SELECT pg_advisory_unlock(hashtext('register_api:retention'))")


async def run_retention_schedule(api: RegisterApi, stop: asyncio.Event) -> None:
    """Background job: a retention run now and every `retention_every_hours` (none when 0)."""
    hours = api.settings.api.retention_every_hours
    if hours > 0:
        await periodically(stop, hours * 3600, partial(request_retention_run, api))
