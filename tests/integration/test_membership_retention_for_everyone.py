"""Retention for everyone, on the real PostgreSQL: a customer who never joined a cooperative nor a household
gets an end to their relationship from their last activity, so the retention job erases them once the
`inactive_customer` period has passed — and not while something of theirs is still open or recent."""
from __future__ import annotations

from datetime import date, timedelta

from contracts.events.hr import StaffUpdate
from contracts.events.membership import UpdateContactData
from services.membership.application.config import MembershipConfig
from services.membership.application.retention import erase_person, relationship_ended
from services.membership.application.staff import apply_staff_updates
from services.register_api.domain.retention import load_retention_rules
from tests.support.membership_db import handle, run
from tests.support.people import T0, join, register, unique
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(MembershipConfig), pool_of("membership")
EVERYONE = 1_000_000


def day(n: float):
    return T0 + timedelta(days=n)


async def due(pool, cutoffs) -> set[str]:
    async with pool.acquire() as conn:
        return set(await relationship_ended(conn, cutoffs, EVERYONE))


async def test_a_customer_who_never_joined_is_due_after_their_last_activity(pool, config):
    idle, active, employed, member = (register(registered_at=day(-1)) for _ in range(4))
    await run(pool, config, idle, active, employed, member, join(member.person_id))
    await run(pool, config, UpdateContactData(person_id=active.person_id, email="uusi@example.fi",
                                              updated_at=day(200)))
    await handle(pool, apply_staff_updates, StaffUpdate(
        update_id=unique("hertta"), identity_code=employed.identity_code, employer="1234567-8",
        employment_start=date(2030, 1, 1), staff_discount=True, source_time=day(1)), config=config)
    ids = {c.person_id for c in (idle, active, employed, member)}

    assert await due(pool, {"inactive_customer": day(100)}) & ids == {idle.person_id}
    assert await due(pool, {"inactive_customer": day(300)}) & ids == {idle.person_id, active.person_id}
    # an open employment keeps the relationship going, as a membership does; the ended-relationship
    # cut-off alone never picks them: they have no end but their last activity
    assert await due(pool, {"customer_relationship": day(300)}) & ids == set()


async def test_the_retention_periods_give_the_cut_off_and_the_erasure_follows(pool, config):
    customer = register(registered_at=day(-1))
    await run(pool, config, customer)
    rules = load_retention_rules()
    assert rules.rule("inactive_customer").months == 24
    assert customer.person_id not in await due(pool, rules.cutoffs(day(700)))  # 23 months on
    ripe = rules.cutoffs(day(760))  # 25 months on
    assert customer.person_id in await due(pool, ripe)
    async with pool.acquire() as conn, conn.transaction():
        await erase_person(conn, customer.person_id)
    assert await pool.fetchval("SELECT count(*) FROM persons WHERE person_id = $1", customer.person_id) == 0
    assert customer.person_id not in await due(pool, ripe)
