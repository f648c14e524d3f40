"""The cards follow the households the membership service publishes, from acceptance time on."""
from __future__ import annotations

import asyncio
from datetime import date, timedelta

import orjson
import pytest

from contracts.events.membership_states import HouseholdMember, HouseholdState
from contracts.topics import CARD_STATE
from services.cards.application.config import CardsConfig
from services.cards.application.follow_households import when_household_changes_cards_follow
from tests.integration.cards_helpers import periods, send
from tests.integration.test_cards import T0
from tests.support.cards import fresh_number, issue_card, unique
from tests.support.factories import incoming


@pytest.fixture
def config(settings) -> CardsConfig:
    return CardsConfig(index_key=settings.secrets.index_key.get_secret_value())


def household(household_id: str, version: int, *members: HouseholdMember, cooperative: str = "hok-elanto"):
    return HouseholdState(
        household_id=household_id, version=version, status="active", main_member_person_id=members[0].person_id,
        membership_id=f"m-{household_id}", cooperative_id=cooperative, cooperative_from=T0,
        member_number="1234567897", membership_status="active", open_contribution_cents=0,
        contribution_deadline=date(2033, 1, 1), founded_at=T0, members=list(members))


def member(person: str, joined, left=None, role="member") -> HouseholdMember:
    return HouseholdMember(person_id=person, role=role, joined_by="accepted_invitation" if role == "member"
                           else "founded", joined_at=joined, left_at=left, left_because="left" if left else None)


async def follow(pool, *states) -> list[dict]:
    async with pool.acquire() as conn, conn.transaction():
        last = await conn.fetchval("SELECT coalesce(max(seq), 0) FROM outbox")
        await when_household_changes_cards_follow(conn, [incoming(state) for state in states])
        rows = await conn.fetch("SELECT value FROM outbox WHERE seq > $1 AND topic = $2 ORDER BY seq",
                                last, CARD_STATE.name)
    return [orjson.loads(row["value"]) for row in rows]


async def test_a_member_who_accepts_an_invitation_moves_their_cards_from_that_moment(pools, config):
    pool, person, old_home, new_home = pools["cards"], unique("p"), unique("h"), unique("h")
    await send(pool, config, issue_card(fresh_number(), person, old_home, T0, "cash_card"))
    accepted = T0 + timedelta(days=5)
    [state] = await follow(pool, household(new_home, 2, member(unique("p"), T0, role="main_member"),
                                           member(person, accepted)))
    assert periods(state) == [(old_home, True), (new_home, True)]
    # the same household state again (a redelivery, or a later version) moves nothing
    assert await follow(pool, household(new_home, 3, member(unique("p"), T0, role="main_member"),
                                        member(person, accepted))) == []


async def test_leaving_out_of_order_after_joining_elsewhere_is_stale_and_skipped(pools, config):
    pool, person, first, second = pools["cards"], unique("p"), unique("h"), unique("h")
    await send(pool, config, issue_card(fresh_number(), person, first, T0, "cash_card"))
    left, joined = T0 + timedelta(days=3), T0 + timedelta(days=4)
    await follow(pool, household(second, 1, member(unique("p"), T0, role="main_member"), member(person, joined)))
    # the older household's state (the person left it a day earlier) arrives late
    assert await follow(pool, household(first, 5, member(unique("p"), T0, role="main_member"),
                                        member(person, T0, left=left))) == []


async def test_batches_moving_the_same_people_in_opposite_orders_do_not_deadlock(pools, config):
    """Each person leaves one household (one partition's batch) and joins another (the other's), the two
    batches side by side and in opposite orders: they wait for each other instead of deadlocking."""
    pool, people = pools["cards"], [unique("p") for _ in range(20)]
    old_homes, new_homes = [unique("h") for _ in people], [unique("h") for _ in people]
    for person, home in zip(people, old_homes, strict=True):
        await send(pool, config, issue_card(fresh_number(), person, home, T0, "cash_card"))
    moved, joined = T0 + timedelta(days=5), T0 + timedelta(days=5, hours=1)
    leaving = [household(home, 2, member(unique("p"), T0, role="main_member"), member(person, T0, left=moved))
               for person, home in zip(people, old_homes, strict=True)]
    # joined after leaving: whichever batch goes first, the cards end in the new home
    joining = [household(home, 1, member(unique("p"), T0, role="main_member"), member(person, joined))
               for person, home in zip(people, new_homes, strict=True)]
    await asyncio.gather(follow(pool, *leaving), follow(pool, *reversed(joining)))  # no DeadlockDetectedError
    async with pool.acquire() as conn:
        homes = await conn.fetch("SELECT person_id, household_id FROM cards WHERE person_id = ANY($1)", people)
    assert {r["person_id"]: r["household_id"] for r in homes} == dict(zip(people, new_homes, strict=True))
