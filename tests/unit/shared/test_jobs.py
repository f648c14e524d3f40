"""The one periodic-job helper and its one failure policy: a round runs now and on its period (at once
again while it left work behind); a failing round is not swallowed by the loop but by `keep_running`,
which starts the job again after a short backoff."""
from __future__ import annotations

import asyncio
import io
from functools import partial

import orjson
import pytest

from shared.jobs import keep_running, periodically
from shared.logging import configure_logging

pytestmark = pytest.mark.unit


async def test_a_round_runs_at_once_and_then_once_a_period_until_the_service_stops():
    stop, rounds = asyncio.Event(), []

    async def once():
        rounds.append(asyncio.get_running_loop().time())
        if len(rounds) == 3:
            stop.set()

    await asyncio.wait_for(periodically(stop, 0.05, once), 2)
    assert len(rounds) == 3
    assert all(later - earlier >= 0.04 for earlier, later in zip(rounds, rounds[1:], strict=False))


async def test_a_round_that_left_work_behind_is_followed_at_once():
    stop, left = asyncio.Event(), [5, 3, 0, 4]

    async def once():
        remaining = left.pop(0)
        if not left:
            stop.set()
        return remaining

    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(periodically(stop, 0.5, once, more=bool), 5)
    # three rounds back to back, one pause of the period after the round that found nothing
    assert 0.45 <= asyncio.get_running_loop().time() - started < 1.0


async def test_a_failing_round_ends_the_loop_with_its_error():
    async def once():
        raise ConnectionResetError("database restarted")

    with pytest.raises(ConnectionResetError):
        await periodically(asyncio.Event(), 60, once)


async def test_a_periodic_job_whose_round_fails_is_started_again_soon_not_a_period_later():
    stop, outcomes, logged = asyncio.Event(), [], io.StringIO()
    configure_logging("INFO", "json", logged)

    async def once():
        outcomes.append("round")
        if len(outcomes) <= 2:
            raise OSError("broker away at anna@example.com")
        stop.set()

    async def job(stop):
        await periodically(stop, 3600, once)

    await asyncio.wait_for(keep_running(job, stop, max_pause=0.5), 3)
    assert outcomes == ["round"] * 3
    failures = [orjson.loads(line) for line in logged.getvalue().splitlines()]
    assert [(f["event"], f["error"], f["failures"]) for f in failures] == [
        ("background job failed, starting it again", "OSError", 1),
        ("background job failed, starting it again", "OSError", 2)]
    assert "anna" not in logged.getvalue()  # the failure's type only: its message may hold personal data


async def test_a_job_that_ends_by_itself_is_not_started_again():
    runs = []

    async def job(stop, name):
        runs.append(name)

    await asyncio.wait_for(keep_running(partial(job, name="once"), asyncio.Event()), 1)
    assert runs == ["once"]
