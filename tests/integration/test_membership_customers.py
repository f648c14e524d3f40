"""Customers on the real PostgreSQL: registered with the identity code only encrypted and blind-indexed,
contact data validated with specific reasons and kept over time, nothing of a refused command applied."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from contracts.events.dvv import PopulationUpdate
from contracts.events.membership import AddressInput, UpdateContactData
from contracts.topics import MEMBERSHIP_PERSONS, REGISTER_SBANK_UPDATES
from services.membership.adapters import base_data
from services.membership.application.config import MembershipConfig
from services.membership.application.population import apply_population_updates
from services.membership.domain.identity_code import parse_identity_code
from tests.support.membership_db import counts, events, handle, latest, refusal, run, table_dump
from tests.support.people import T0, identity_code, join, register, unique
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(MembershipConfig), pool_of("membership")


async def test_a_customer_is_registered_with_the_identity_code_only_encrypted_and_indexed(pool, config):
    code = identity_code()
    customer = register(code=code)
    await run(pool, config, customer, join(customer.person_id))
    dump = await table_dump(pool)
    assert code not in dump and code[:6] + code[7:] not in dump
    row = await pool.fetchrow("SELECT * FROM persons WHERE person_id = $1", customer.person_id)
    assert row["identity_code_token"] == config.identity_token(parse_identity_code(code))
    assert config.identity_code_of(row).value == code


async def test_the_published_person_state_is_pseudonymous(pool, config):
    customer = register(language="sv", marketing_prohibition=True, home_municipality="091",
                        code=identity_code(date(1972, 5, 17)))
    await run(pool, config, customer)
    state = await latest(pool, MEMBERSHIP_PERSONS, customer.person_id)
    assert state == {"person_id": customer.person_id, "version": 1, "customer_kind": "other_customer",
                     "language": "sv", "deceased": False, "marketing_prohibition": True, "sbank_customer": False,
                     "staff_discount": False, "household_id": None, "cooperative_id": None,
                     "address_protection": False, "home_municipality": "091", "birth_year": 1972,
                     "sbank_customer_ref": None, "marketing_prohibition_source": "customer",
                     "partner_registrations": []}


async def test_a_protected_persons_municipality_is_not_published(pool, config):
    customer = register(home_municipality="091")
    await run(pool, config, customer)
    protection = PopulationUpdate(update_id=unique("vtj"), identity_code=customer.identity_code,
                                  kind="non_disclosure", non_disclosure=True, effective_date=T0.date(),
                                  source_time=T0 + timedelta(days=1))
    await handle(pool, apply_population_updates, protection, config=config)
    state = await latest(pool, MEMBERSHIP_PERSONS, customer.person_id)
    assert (state["address_protection"], state["home_municipality"]) == (True, None)


async def test_contact_data_are_stored_in_canonical_form(pool, config):
    customer = register(mobile_phone="040 123 4567", email="Maija@Example.FI")
    await run(pool, config, customer)
    current = await _current(pool, customer.person_id)
    assert current["mobile_phone"] == {"number": "+358401234567"}
    assert current["email"] == {"address": "Maija@example.fi"}
    assert current["permanent_address"]["postal_code"] == "00100"


async def test_a_second_registration_of_the_same_identity_code_is_refused(pool, config):
    code = identity_code()
    await run(pool, config, register(code=code))
    assert await refusal(pool, config, register(code=code)) == "person_already_registered"


@pytest.mark.parametrize("changes, reason", [
    ({"identity_code": "131052-308U"}, "invalid_identity_code"),
    ({"identity_code": "311399-1234"}, "invalid_identity_code"),
    ({"mobile_phone": "12345"}, "invalid_phone"),
    ({"email": "maija@@example.fi"}, "invalid_email"),
    ({"address": AddressInput(street="Katu 1", postal_code="0010", city="Helsinki")}, "invalid_address"),
])
async def test_bad_customer_data_are_refused_with_a_specific_reason_and_nothing_is_stored(pool, config, changes,
                                                                                          reason):
    customer = register(**changes)
    assert await refusal(pool, config, customer) == reason
    assert await counts(pool, "persons", "base_data", where="WHERE person_id = $1",
                        args=(customer.person_id,)) == {"persons": 0, "base_data": 0}


async def test_an_update_keeps_the_history_and_a_later_older_update_is_ignored(pool, config):
    customer = register()
    await run(pool, config, customer)
    later = UpdateContactData(person_id=customer.person_id, mobile_phone="+358 50 765 4321",
                              updated_at=T0 + timedelta(days=2))
    older = UpdateContactData(person_id=customer.person_id, mobile_phone="0401111111",
                              updated_at=T0 + timedelta(days=1))
    await run(pool, config, later, older)
    async with pool.acquire() as conn:
        history = await base_data.history(conn, customer.person_id, "mobile_phone")
    assert [h["value"] for h in history] == ['{"number": "+358401234567"}', '{"number": "+358507654321"}']
    assert history[0]["ended_at"] is not None and history[1]["ended_at"] is None


async def test_a_removed_contact_detail_ends_without_a_successor(pool, config):
    customer = register()
    await run(pool, config, customer, UpdateContactData(person_id=customer.person_id, removed=["email"],
                                                        updated_at=T0 + timedelta(days=1)))
    assert "email" not in await _current(pool, customer.person_id)


async def test_a_bad_phone_in_an_update_refuses_the_whole_update(pool, config):
    customer = register()
    await run(pool, config, customer)
    update = UpdateContactData(person_id=customer.person_id, email="new@example.fi", mobile_phone="abc",
                               updated_at=T0 + timedelta(days=1))
    assert await refusal(pool, config, update) == "invalid_phone"
    assert (await _current(pool, customer.person_id))["email"] == {"address": "maija@example.fi"}


async def test_an_update_for_an_unknown_person_is_refused(pool, config):
    update = UpdateContactData(person_id=unique("nobody"), language="en", updated_at=T0)
    assert await refusal(pool, config, update) == "unknown_person"


async def test_a_customers_change_goes_to_sbank_for_an_sbank_customer_only(pool, config):
    shared, own = register(sbank_customer_ref=unique("SB")), register()
    await run(pool, config, shared, own)
    for customer in (shared, own):
        await run(pool, config, UpdateContactData(person_id=customer.person_id, email="uusi@example.fi",
                                                  language="en", updated_at=T0 + timedelta(days=1)))
    sent = await events(pool, REGISTER_SBANK_UPDATES, shared.sbank_customer_ref)
    assert len(sent) == 1
    assert sent[0]["origin"] == "register" and sent[0]["email"] == "uusi@example.fi"
    assert sent[0]["language"] == "en" and sent[0]["identity_code"] is None


async def _current(pool, person_id: str) -> dict:
    async with pool.acquire() as conn:
        return await base_data.current(conn, person_id)
