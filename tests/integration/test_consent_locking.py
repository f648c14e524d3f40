"""The consent consumers' batches lock on the real PostgreSQL in one order: two batches touching the same
households in opposite orders (two members of each household, their states in two partitions read by two
instances) wait for each other instead of deadlocking and being retried."""
from __future__ import annotations

import asyncio

from services.consent.application.config import ConsentConfig
from tests.support.consent import person_state, person_states, unique
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(ConsentConfig), pool_of("consent")

HOUSEHOLDS = 30


async def test_batches_over_the_same_households_in_opposite_orders_do_not_deadlock(pool, config):
    households = [unique("h") for _ in range(HOUSEHOLDS)]
    firsts = {unique("p"): h for h in households}
    seconds = {unique("p"): h for h in households}
    await person_states(pool, config, *(person_state(p, household_id=h) for p, h in (firsts | seconds).items()))

    # each message locks its household and the household's members; the batches meet in the middle
    forwards = person_states(pool, config, *(person_state(p, 2, household_id=h, language="sv")
                                             for p, h in firsts.items()))
    backwards = person_states(pool, config, *(person_state(p, 2, household_id=h, language="sv")
                                              for p, h in reversed(seconds.items())))
    await asyncio.gather(forwards, backwards)  # a deadlock would raise DeadlockDetectedError in one of them

    rows = await pool.fetch("SELECT state_version, language FROM persons WHERE person_id = ANY($1)",
                            [*firsts, *seconds])
    assert [(r["state_version"], r["language"]) for r in rows] == [(2, "sv")] * (2 * HOUSEHOLDS)
