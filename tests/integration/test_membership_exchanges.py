"""The exchanges on the real PostgreSQL: S-Bank updates by source time and precedence without echo, the
population register (including a death) and Hertta's staff data."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts.events.dvv import PopulationUpdate
from contracts.events.fields import PersonName, PostalAddress
from contracts.events.hr import StaffUpdate
from contracts.events.membership import AcceptInvitation, InviteToHousehold
from contracts.events.sbank import SbankCustomerUpdate
from contracts.topics import MEMBERSHIP_BENEFITS, MEMBERSHIP_HOUSEHOLDS, MEMBERSHIP_PERSONS, REGISTER_SBANK_UPDATES
from services.membership.adapters import base_data, persons
from services.membership.application.config import MembershipConfig
from services.membership.application.population import apply_population_updates
from services.membership.application.sbank_inbound import apply_sbank_updates
from services.membership.application.staff import apply_staff_updates
from shared.delivery import Rejected
from tests.support.membership_db import events, handle, latest, run
from tests.support.people import T0, identity_code, join, register, unique
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(MembershipConfig), pool_of("membership")


def sbank(ref: str, days: float, origin: str = "sbank", **fields) -> SbankCustomerUpdate:
    return SbankCustomerUpdate(update_id=unique("sb"), sbank_customer_ref=ref, origin=origin,
                               source_time=T0 + timedelta(days=days), **fields)


def dvv(code: str, kind: str, days: float, **fields) -> PopulationUpdate:
    at = T0 + timedelta(days=days)
    return PopulationUpdate(update_id=unique("vtj"), identity_code=code, kind=kind, effective_date=at.date(),
                            source_time=at, **fields)


async def shared_customer(pool, config):
    customer = register(sbank_customer_ref=unique("SB"))
    await run(pool, config, customer)
    return customer


async def current(pool, person_id: str) -> dict:
    async with pool.acquire() as conn:
        return await base_data.current(conn, person_id)


async def ignored(pool, source: str, reason: str) -> int:
    async with pool.acquire() as conn:
        return await persons.ignored(conn, source, reason)


async def test_sbank_updates_apply_by_source_time_and_never_echo_back(pool, config):
    customer = await shared_customer(pool, config)
    ref = customer.sbank_customer_ref
    stale_before = await ignored(pool, "sbank", "stale:mobile_phone")
    newer, older = sbank(ref, 3, phone="+358501112222"), sbank(ref, 2, phone="+358503334444", language="sv")
    await handle(pool, apply_sbank_updates, newer, older, config=config)
    now = await current(pool, customer.person_id)
    assert now["mobile_phone"] == {"number": "+358501112222"} and now["language"] == "sv"
    assert await ignored(pool, "sbank", "stale:mobile_phone") == stale_before + 1
    assert await events(pool, REGISTER_SBANK_UPDATES, ref) == []


async def test_an_sbank_echo_of_the_registers_own_change_is_ignored(pool, config):
    customer = await shared_customer(pool, config)
    echoes = await ignored(pool, "sbank", "echo")
    await handle(pool, apply_sbank_updates, sbank(customer.sbank_customer_ref, 5, origin="register",
                                                  email="echo@example.fi"), config=config)
    assert (await current(pool, customer.person_id))["email"] == {"address": "maija@example.fi"}
    assert await ignored(pool, "sbank", "echo") == echoes + 1


async def test_the_population_register_wins_for_names_even_against_a_later_sbank_change(pool, config):
    customer = await shared_customer(pool, config)
    official = PersonName(first_names="Maija", last_name="Virtanen")
    await handle(pool, apply_population_updates, dvv(customer.identity_code, "name", 1, name=official), config=config)
    await handle(pool, apply_sbank_updates, sbank(customer.sbank_customer_ref, 9, name=PersonName(
        first_names="Maija", last_name="Nickname")), config=config)
    assert (await current(pool, customer.person_id))["name"]["last_name"] == "Virtanen"
    sent = await latest(pool, REGISTER_SBANK_UPDATES, customer.sbank_customer_ref)
    assert sent["name"] == {"first_names": "Maija", "last_name": "Virtanen"} and sent["origin"] == "register"
    # the update is a disclosure to S-Bank, logged with the message: the field's name, never its value
    [logged] = await pool.fetch("SELECT * FROM disclosures WHERE person_id = $1", customer.person_id)
    assert (logged["kind"], logged["recipient"], logged["reference"]) == ("sbank_update", "s-bank", sent["update_id"])
    assert list(logged["data"]) == ["person.name"]


async def test_a_protected_address_never_leaves_for_sbank(pool, config):
    customer = await shared_customer(pool, config)
    moved = PostalAddress(street="Hämeentie 5", postal_code="00530", city="Helsinki")
    await handle(pool, apply_population_updates, dvv(customer.identity_code, "non_disclosure", 1,
                                                     non_disclosure=True),
                 dvv(customer.identity_code, "address", 2, address=moved, address_kind="permanent",
                     home_municipality="091"), config=config)
    assert (await current(pool, customer.person_id))["permanent_address"]["street"] == "Hämeentie 5"
    assert await events(pool, REGISTER_SBANK_UPDATES, customer.sbank_customer_ref) == []
    assert await pool.fetchval("SELECT count(*) FROM disclosures WHERE person_id = $1", customer.person_id) == 0


async def test_an_sbank_update_finds_the_person_by_identity_code_and_links_the_reference(pool, config):
    customer = register()
    await run(pool, config, customer)
    ref = unique("SB")
    await handle(pool, apply_sbank_updates, sbank(ref, 1, identity_code=customer.identity_code,
                                                  email="pankki@example.fi"), config=config)
    assert (await current(pool, customer.person_id))["email"] == {"address": "pankki@example.fi"}
    assert (await latest(pool, MEMBERSHIP_PERSONS, customer.person_id))["sbank_customer"] is True


@pytest.mark.parametrize("fields, reason", [
    ({}, "unknown_customer"),
    ({"identity_code": "131052-308U"}, "invalid_identity_code"),
])
async def test_an_sbank_update_for_nobody_known_is_refused(pool, config, fields, reason):
    with pytest.raises(Rejected) as refused:
        await handle(pool, apply_sbank_updates, sbank(unique("SB"), 1, email="x@example.fi", **fields),
                     config=config)
    assert refused.value.reason == reason


async def test_a_death_ends_the_membership_dissolves_the_household_and_stops_marketing(pool, config):
    main, adult = register(), register()
    joined = join(main.person_id, cents=5000)
    invitation = InviteToHousehold(invitation_id=unique("inv"), main_member_person_id=main.person_id,
                                   invitee_person_id=adult.person_id, invited_at=T0)
    await run(pool, config, main, adult, joined, invitation,
              AcceptInvitation(invitation_id=invitation.invitation_id, person_id=adult.person_id, accepted_at=T0))
    death = dvv(main.identity_code, "death", 10, date_of_death=date(2030, 3, 18))
    await handle(pool, apply_population_updates, death, death, config=config)
    state = await latest(pool, MEMBERSHIP_HOUSEHOLDS, joined.household_id)
    assert (state["status"], state["membership_status"]) == ("dissolved", "deceased")
    left = {m["person_id"]: m["left_because"] for m in state["members"]}
    assert left == {main.person_id: "deceased", adult.person_id: "dissolved"}
    person = await latest(pool, MEMBERSHIP_PERSONS, main.person_id)
    assert (person["deceased"], person["marketing_prohibition"], person["customer_kind"]) == (True, True,
                                                                                            "other_customer")
    assert (await latest(pool, MEMBERSHIP_PERSONS, adult.person_id))["household_id"] is None
    assert len(await events(pool, MEMBERSHIP_BENEFITS, main.person_id)) == 1


async def test_a_population_update_for_an_unknown_person_has_no_effect(pool, config):
    before = await ignored(pool, "dvv", "unknown_person")
    await handle(pool, apply_population_updates, dvv(identity_code(), "marketing_prohibition", 1,
                                                     marketing_prohibition=True), config=config)
    assert await ignored(pool, "dvv", "unknown_person") == before + 1


async def test_staff_data_give_the_discount_and_a_stale_update_is_ignored(pool, config):
    customer = register()
    await run(pool, config, customer)

    def staff(days: int, discount: bool) -> StaffUpdate:
        return StaffUpdate(update_id=unique("hertta"), identity_code=customer.identity_code, employer="1234567-8",
                           employment_start=date(2029, 1, 1), staff_discount=discount,
                           source_time=T0 + timedelta(days=days))
    await handle(pool, apply_staff_updates, staff(2, True), staff(1, False), config=config)
    assert (await latest(pool, MEMBERSHIP_PERSONS, customer.person_id))["staff_discount"] is True
