"""Erased stays erased, on the real PostgreSQL: after an erasure the identity-code index is gone and only a
keyed erasure marker recognises the person; population-register, S-Bank and HR updates about them are
counted as `erased_subject` and store nothing (no address, e-mail, S-Bank link or employment, no event, no
dead letter); only their own new registration brings them back."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts.events.dvv import PopulationUpdate
from contracts.events.fields import PostalAddress
from contracts.events.hr import StaffUpdate
from contracts.events.membership import Resign
from contracts.events.sbank import SbankCustomerUpdate
from contracts.topics import MEMBERSHIP_PERSONS, REGISTER_SBANK_UPDATES
from services.membership.adapters import base_data, persons
from services.membership.application.config import MembershipConfig
from services.membership.application.population import apply_population_updates
from services.membership.application.retention import erase_person
from services.membership.application.sbank_inbound import apply_sbank_updates
from services.membership.application.staff import apply_staff_updates
from services.membership.domain.identity_code import parse_identity_code
from tests.support.membership_db import events, handle, run, table_dump
from tests.support.people import T0, join, register, unique
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(MembershipConfig), pool_of("membership")

NEW_STREET, NEW_EMAIL = "Erasuretie 99", "palannut@example.fi"


def dvv_address(code: str, days: float) -> PopulationUpdate:
    at = T0 + timedelta(days=days)
    return PopulationUpdate(update_id=unique("vtj"), identity_code=code, kind="address", address_kind="permanent",
                            address=PostalAddress(street=NEW_STREET, postal_code="00500", city="Helsinki"),
                            effective_date=at.date(), source_time=at)


def sbank_update(code: str, ref: str, days: float) -> SbankCustomerUpdate:
    return SbankCustomerUpdate(update_id=unique("sb"), sbank_customer_ref=ref, origin="sbank", identity_code=code,
                               email=NEW_EMAIL, source_time=T0 + timedelta(days=days))


def staff_update(code: str, days: float) -> StaffUpdate:
    return StaffUpdate(update_id=unique("hertta"), identity_code=code, employer="1234567-8",
                       employment_start=date(2029, 1, 1), staff_discount=True, source_time=T0 + timedelta(days=days))


async def ignored(pool, source: str, reason: str) -> int:
    async with pool.acquire() as conn:
        return await persons.ignored(conn, source, reason)


async def erased(pool, person_id: str, config=None) -> dict:
    async with pool.acquire() as conn, conn.transaction():
        return await erase_person(conn, person_id, config)


async def updates_about(pool, config, code: str, days: float) -> str:
    """A DVV address change, an S-Bank e-mail with a new reference and an HR employment for `code`;
    the new S-Bank reference."""
    ref = unique("SB")
    await handle(pool, apply_population_updates, dvv_address(code, days), config=config)
    await handle(pool, apply_sbank_updates, sbank_update(code, ref, days), config=config)
    await handle(pool, apply_staff_updates, staff_update(code, days), config=config)
    return ref


@pytest.mark.parametrize("was_member", [False, True], ids=["customer", "member_register_kept"])
async def test_updates_about_an_erased_person_store_nothing_and_count_as_erased_subjects(pool, config, was_member):
    customer = register(sbank_customer_ref=unique("SB"))
    await run(pool, config, customer)
    if was_member:
        await run(pool, config, join(customer.person_id, cents=10000),
                  Resign(person_id=customer.person_id, resigned_at=T0 + timedelta(days=1)))
    report = await erased(pool, customer.person_id)
    assert report["member_register_kept"] is was_member and report["erasure_marker_kept"] is True
    code = parse_identity_code(customer.identity_code)
    before = {s: await ignored(pool, s, "erased_subject") for s in ("dvv", "sbank", "hr")}
    published = await events(pool, MEMBERSHIP_PERSONS, customer.person_id)

    new_ref = await updates_about(pool, config, customer.identity_code, 30)  # none of them refused: acknowledged

    assert {s: await ignored(pool, s, "erased_subject") for s in ("dvv", "sbank", "hr")} == {
        s: n + 1 for s, n in before.items()}
    assert await pool.fetchval("SELECT count(*) FROM persons WHERE identity_code_token = $1",
                               config.identity_token(code)) == 0
    assert await pool.fetchval("SELECT count(*) FROM persons WHERE sbank_customer_ref = $1", new_ref) == 0
    assert await pool.fetchval("SELECT count(*) FROM staff_employments WHERE person_id = $1",
                               customer.person_id) == 0
    async with pool.acquire() as conn:
        kept = await base_data.current(conn, customer.person_id)
    assert set(kept) == ({"name"} if was_member else set())
    assert await events(pool, MEMBERSHIP_PERSONS, customer.person_id) == published  # nothing after the tombstone
    assert await events(pool, REGISTER_SBANK_UPDATES, new_ref) == []
    dump = await table_dump(pool)
    assert NEW_STREET not in dump and NEW_EMAIL not in dump and new_ref not in dump
    assert customer.identity_code not in dump
    marker = config.erasure_marker(code)
    assert marker != config.identity_token(code)
    assert await pool.fetchval("SELECT count(*) FROM erased_subjects WHERE marker = $1", marker) == 1


async def test_only_the_persons_own_registration_brings_them_back(pool, config):
    customer = register()
    await run(pool, config, customer)
    await erased(pool, customer.person_id)
    again = register(code=customer.identity_code, email="uudelleen@example.fi")
    await run(pool, config, again)
    marker = config.erasure_marker(parse_identity_code(customer.identity_code))
    assert await pool.fetchval("SELECT count(*) FROM erased_subjects WHERE marker = $1", marker) == 0
    before = await ignored(pool, "dvv", "erased_subject")
    await updates_about(pool, config, customer.identity_code, 40)
    assert await ignored(pool, "dvv", "erased_subject") == before
    async with pool.acquire() as conn:
        now = await base_data.current(conn, again.person_id)
    assert now["permanent_address"]["street"] == NEW_STREET and now["email"] == {"address": NEW_EMAIL}
    # and a second erasure keeps the marker again
    await erased(pool, again.person_id)
    assert await pool.fetchval("SELECT count(*) FROM erased_subjects WHERE marker = $1", marker) == 1


async def test_a_person_registered_before_markers_gets_one_made_from_the_identity_code(pool, config):
    first, second = register(), register()
    await run(pool, config, first, second)
    await pool.execute("UPDATE persons SET erasure_marker = NULL WHERE person_id = ANY($1)",
                       [first.person_id, second.person_id])
    assert (await erased(pool, first.person_id, config))["erasure_marker_kept"] is True
    marker = config.erasure_marker(parse_identity_code(first.identity_code))
    assert await pool.fetchval("SELECT count(*) FROM erased_subjects WHERE marker = $1", marker) == 1
    assert (await erased(pool, second.person_id))["erasure_marker_kept"] is False  # no key given: none to make
    assert (await erased(pool, first.person_id, config))["erasure_marker_kept"] is False  # erased before: idempotent
