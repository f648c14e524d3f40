"""Partner registrations, supporter groups and household customer groups on the real PostgreSQL: changed by
membership commands, kept with their history, shown in the person's part of the register, ended by a
death or a dissolution, erased by retention; bad input refused with a specific reason and nothing applied."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from contracts.events.dvv import PopulationUpdate
from contracts.events.membership import (
    AcceptInvitation,
    EndPartnerRegistration,
    InviteToHousehold,
    JoinSupporterGroup,
    LeaveSupporterGroup,
    RegisterWithPartner,
    Resign,
    SetHouseholdGroup,
)
from contracts.topics import MEMBERSHIP_PERSONS
from services.membership.application.config import MembershipConfig
from services.membership.application.population import apply_population_updates
from services.membership.application.read_person import person_part
from services.membership.application.retention import erase_expired, erase_person
from shared.delivery import Rejected
from tests.support.membership_db import handle, latest, refusal, run
from tests.support.people import T0, join, register, unique
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(MembershipConfig), pool_of("membership")


def at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def partner(person_id: str, partner_id: str = "elisa", start: float = 1, end: float | None = None):
    return RegisterWithPartner(person_id=person_id, partner_id=partner_id, valid_from=at(start),
                               valid_to=None if end is None else at(end))


def supporter(person_id: str, group_id: str = "hifk-juniorit", start: float = 1, end: float | None = None):
    return JoinSupporterGroup(person_id=person_id, group_id=group_id, valid_from=at(start),
                              valid_to=None if end is None else at(end))


async def member(pool, config):
    customer = register()
    joined = join(customer.person_id, cents=10000)
    await run(pool, config, customer, joined)
    return customer, joined


async def part(pool, config, person_id: str) -> dict:
    async with pool.acquire() as conn:
        return await person_part(conn, person_id, config)


def periods(rows: list[dict], ref: str) -> list[tuple]:
    return [(r[ref], r["valid_from"], r["valid_to"]) for r in rows]


async def test_partner_registrations_are_kept_over_time_in_the_persons_orders(pool, config):
    customer, _ = await member(pool, config)
    person = customer.person_id
    await run(pool, config, partner(person, start=1), partner(person, start=1),  # the same again: one registration
              partner(person, "lahitapiola", start=5, end=400))
    await run(pool, config, EndPartnerRegistration(person_id=person, partner_id="elisa", ended_at=at(100)))
    await run(pool, config, partner(person, start=100))  # registered again, right where the last one ended
    orders = (await part(pool, config, person))["orders"]
    assert periods(orders, "partner_id") == [("elisa", at(1), at(100)), ("lahitapiola", at(5), at(400)),
                                             ("elisa", at(100), None)]


async def test_partner_registrations_are_published_on_the_persons_state_for_the_purchases_service(pool, config):
    customer, _ = await member(pool, config)
    person = customer.person_id
    await run(pool, config, partner(person, start=1))
    await run(pool, config, EndPartnerRegistration(person_id=person, partner_id="elisa", ended_at=at(100)))
    state = await latest(pool, MEMBERSHIP_PERSONS, person)
    assert [(r["partner_id"], datetime.fromisoformat(r["valid_from"]),
             r["valid_to"] and datetime.fromisoformat(r["valid_to"])) for r in state["partner_registrations"]] == \
        [("elisa", at(1), at(100))]


@pytest.mark.parametrize("command, reason", [
    (lambda p: partner(p, start=50), "overlapping_validity"),                # elisa is open-ended from day 1
    (lambda p: partner(p, "Elisa Oyj"), "invalid_partner_id"),
    (lambda p: partner(p, "dna", start=10, end=5), "invalid_validity"),
    (lambda p: EndPartnerRegistration(person_id=p, partner_id="dna", ended_at=at(9)), "not_registered"),
    (lambda p: EndPartnerRegistration(person_id=p, partner_id="elisa", ended_at=at(1)), "invalid_validity"),
    (lambda p: partner(unique("p")), "unknown_person"),
    (lambda p: supporter(p, "hifk_juniorit"), "invalid_group_id"),
    (lambda p: supporter(p, start=0, end=2), "overlapping_validity"),
    (lambda p: LeaveSupporterGroup(person_id=p, group_id="ilves", left_at=at(3)), "not_registered"),
])
async def test_bad_registrations_are_refused_with_a_specific_reason(pool, config, command, reason):
    customer, _ = await member(pool, config)
    await run(pool, config, partner(customer.person_id), supporter(customer.person_id, start=1, end=30))
    assert await refusal(pool, config, command(customer.person_id)) == reason


async def test_a_refused_command_leaves_nothing_of_its_batch_applied(pool, config):
    customer, _ = await member(pool, config)
    person = customer.person_id
    with pytest.raises(Rejected) as refused:
        await run(pool, config, partner(person, "dna"), supporter(person), partner(person, "x"))
    assert refused.value.reason == "invalid_partner_id"
    data = await part(pool, config, person)
    assert data["orders"] == [] and data["household"]["customer_groups"]["supporter_groups"] == []


async def test_only_owner_customers_and_household_members_have_them(pool, config):
    other_customer = register()
    await run(pool, config, other_customer)
    for command in (partner(other_customer.person_id), supporter(other_customer.person_id)):
        assert await refusal(pool, config, command) == "not_in_household"


async def test_supporter_groups_and_the_household_group_are_in_the_persons_household_data(pool, config):
    main, joined = await member(pool, config)
    adult = register()
    invitation = InviteToHousehold(invitation_id=unique("inv"), main_member_person_id=main.person_id,
                                   invitee_person_id=adult.person_id, invited_at=at(20))
    await run(pool, config, SetHouseholdGroup(household_id=joined.household_id, group_id="families", valid_from=at(1)),
              adult, invitation)
    await run(pool, config, SetHouseholdGroup(household_id=joined.household_id, group_id="seniors", valid_from=at(10)),
              AcceptInvitation(invitation_id=invitation.invitation_id, person_id=adult.person_id, accepted_at=at(30)),
              supporter(adult.person_id, "ilves-kannatus", start=31),
              SetHouseholdGroup(household_id=joined.household_id, group_id="seniors", valid_from=at(40)))  # unchanged
    await run(pool, config, LeaveSupporterGroup(person_id=adult.person_id, group_id="ilves-kannatus", left_at=at(60)))
    main_groups = (await part(pool, config, main.person_id))["household"]["customer_groups"]
    assert periods(main_groups["household_groups"], "group_id") == [("families", at(1), at(10)),
                                                                     ("seniors", at(10), None)]
    adult_groups = (await part(pool, config, adult.person_id))["household"]["customer_groups"]
    # the adult sees the household's group only from when they belonged to it
    assert periods(adult_groups["household_groups"], "group_id") == [("seniors", at(10), None)]
    assert periods(adult_groups["supporter_groups"], "group_id") == [("ilves-kannatus", at(31), at(60))]


async def test_household_group_changes_are_checked(pool, config):
    main, joined = await member(pool, config)
    household = joined.household_id
    await run(pool, config, SetHouseholdGroup(household_id=household, group_id="families", valid_from=at(5)))
    for command, reason in (
            (SetHouseholdGroup(household_id=household, group_id="seniors", valid_from=at(5)), "overlapping_validity"),
            (SetHouseholdGroup(household_id=household, group_id="Seniors", valid_from=at(9)), "invalid_group_id"),
            (SetHouseholdGroup(household_id=unique("h"), group_id="seniors", valid_from=at(9)), "unknown_household"),
            (SetHouseholdGroup(household_id=household, group_id="seniors", valid_from=at(-1)), "invalid_validity")):
        assert await refusal(pool, config, command) == reason
    await run(pool, config, Resign(person_id=main.person_id, resigned_at=at(50)))
    assert await refusal(pool, config, SetHouseholdGroup(household_id=household, group_id="seniors",
                                                         valid_from=at(60))) == "household_dissolved"
    groups = (await part(pool, config, main.person_id))["household"]["customer_groups"]["household_groups"]
    assert periods(groups, "group_id") == [("families", at(5), at(50))]  # the dissolution ended it


async def test_a_death_ends_the_persons_registrations_and_groups(pool, config):
    customer, _ = await member(pool, config)
    person = customer.person_id
    await run(pool, config, partner(person, start=1), partner(person, "dna", start=1, end=900),
              partner(person, "lahitapiola", start=500), supporter(person, start=2))
    death = PopulationUpdate(update_id=unique("vtj"), identity_code=customer.identity_code, kind="death",
                             effective_date=at(100).date(), source_time=at(100), date_of_death=date(2030, 6, 17))
    await handle(pool, apply_population_updates, death, config=config)
    data = await part(pool, config, person)
    assert sorted(periods(data["orders"], "partner_id")) == [("dna", at(1), at(100)), ("elisa", at(1), at(100))]
    assert periods(data["household"]["customer_groups"]["supporter_groups"], "group_id") == [
        ("hifk-juniorit", at(2), at(100))]
    assert await refusal(pool, config, partner(person, "ilves", start=200)) == "person_deceased"


async def test_retention_erases_ended_registrations_and_erasure_everything_of_them(pool, config):
    customer, joined = await member(pool, config)
    person = customer.person_id
    await run(pool, config, partner(person, start=1, end=10), partner(person, "dna", start=1),
              supporter(person, start=1, end=10), supporter(person, "ilves", start=1),
              SetHouseholdGroup(household_id=joined.household_id, group_id="families", valid_from=at(1)))
    cutoff = at(11)  # as if two years had passed since day 11
    async with pool.acquire() as conn, conn.transaction():
        erased = await erase_expired(conn, {"orders": cutoff, "household_data": cutoff})
    assert erased["orders"] >= 1 and erased["household_data"] >= 1
    data = await part(pool, config, person)
    assert periods(data["orders"], "partner_id") == [("dna", at(1), None)]
    assert periods(data["household"]["customer_groups"]["supporter_groups"], "group_id") == [("ilves", at(1), None)]
    await run(pool, config, Resign(person_id=person, resigned_at=at(20)))
    async with pool.acquire() as conn, conn.transaction():
        await erase_person(conn, person)
    left = {table: await pool.fetchval(f"SELECT count(*) FROM {table} WHERE {column} = $1", value)
            for table, column, value in (("partner_registrations", "person_id", person),
                                         ("supporter_groups", "person_id", person),
                                         ("customer_groups", "household_id", joined.household_id))}
    assert left == {"partner_registrations": 0, "supporter_groups": 0, "customer_groups": 0}
