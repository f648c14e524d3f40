"""Rectification (seed §11) on the real PostgreSQL, through the register API to the membership service: each
correction is the command the API stages (sealed, audited), applied by the membership service's own command
dispatch, and read back in the person's register extract with its source and time and the value it replaced.
Names are refused with the population register as the reason, staff data from the customer with the HR
register's. The owner-customer agreement accepted at joining (terms version, time, channel) is in the
extract too."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from contracts.events.fields import PersonName
from contracts.events.hr import StaffUpdate
from contracts.events.membership import (
    AgreementAcceptance,
    MembershipCommand,
    RectifyPersonalData,
    Resign,
    TransferMembership,
)
from services.membership.application.config import MembershipConfig
from services.membership.application.retention import erase_expired, erase_person
from services.membership.application.staff import apply_staff_updates
from shared.settings import Settings
from tests.support.membership_db import handle, refusal, run
from tests.support.people import IBAN, identity_code, join, register, unique
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture, staged

client, own = client_fixture(), own_fixture()
SINCE = NOW - timedelta(days=30)
EMPLOYER = "0116323-1"


@pytest.fixture(scope="module")
def config(settings):
    return MembershipConfig.from_settings(settings)


@pytest.fixture
async def member(pools, config):
    """A member who joined a month ago at outlet P001, with a child born in 2012 living at home."""
    code = identity_code(date(1980, 5, 17))
    customer = register(code=code, registered_at=SINCE, children_birth_years=[2012])
    await run(pools["membership"], config, customer, join(customer.person_id, at=SINCE))
    return customer.person_id, code


def customer(settings, person_id: str) -> dict:
    return bearer(settings, "data_subject", user=f"customer-{person_id}", person_id=person_id)


async def applied(response, own, settings, pools, config) -> None:
    """The change the API accepted, applied as the membership service applies its topic's commands."""
    assert response.status_code == 202, response.text
    command, _ = await staged(own, settings, response.json()["change"]["change_id"])
    await run(pools["membership"], config, MembershipCommand.model_validate(command).root)


def extract_of(client, settings, person_id: str) -> dict:
    mine = customer(settings, person_id)
    request = client.post(f"/persons/{person_id}/extract-requests", headers=mine)
    assert request.status_code == 201, request.text
    return client.get(f"/extract-requests/{request.json()['extract_request']['request_id']}/document",
                      headers=mine).json()


async def test_the_children_living_at_home_are_corrected_by_the_customer_and_by_staff(client, settings, own, pools,
                                                                                       config, member):
    person_id, _ = member
    await applied(client.patch(f"/persons/{person_id}/personal-data", json={"children_birth_years": [2015, 2012]},
                               headers=customer(settings, person_id)), own, settings, pools, config)
    await applied(client.patch(f"/persons/{person_id}/personal-data", json={"children_birth_years": [2015]},
                               headers=bearer(settings, "customer_service", user="anna")), own, settings, pools, config)
    person = extract_of(client, settings, person_id)["person"]
    assert person["children_birth_years"] == [2015]
    assert person["sources"]["children_birth_years"]["source"] == "staff"
    assert [(h["value"], h["source"]) for h in person["history"] if h["field_group"] == "children_birth_years"] == [
        ([2012], "customer"), ([2012, 2015], "customer")]
    assert person["sources"]["name"]["source"] == "customer"  # the name as given at registration


def test_a_child_born_in_the_future_is_refused(client, settings, member):
    person_id, _ = member
    response = client.patch(f"/persons/{person_id}/personal-data", json={"children_birth_years": [NOW.year + 1]},
                            headers=customer(settings, person_id))
    assert (response.status_code, response.json()["error"]) == (422, "invalid_children_birth_years")


async def test_a_name_is_never_corrected_here_but_from_the_population_register(client, settings, own, pools, config,
                                                                                member):
    person_id, _ = member
    name = {"first_names": "Maija", "last_name": "Virtanen"}
    for headers in (customer(settings, person_id), bearer(settings, "customer_service"),
                    bearer(settings, "membership_admin")):
        response = client.patch(f"/persons/{person_id}/personal-data", json={"name": name}, headers=headers)
        assert (response.status_code, response.json()["error"]) == (422, "name_from_population_register")
        assert "population register" in response.json()["detail"]
    assert not await own.fetchval("SELECT count(*) FROM audit.audit_log WHERE operation = 'rectify_personal_data'"
                                  " AND $1 = ANY(person_ids)", person_id)
    # the membership service refuses it by the same rule should such a command reach its topic
    command = RectifyPersonalData(person_id=person_id, name=PersonName(**name), rectified_at=NOW)
    assert await refusal(pools["membership"], config, command) == "name_from_population_register"
    extract = extract_of(client, settings, person_id)
    assert extract["person"]["name"] == {"first_names": "Maija Liisa", "last_name": "Meikäläinen"}


async def test_the_joining_outlet_is_corrected_and_keeps_the_outlet_it_replaced(client, settings, own, pools, config,
                                                                                 member):
    person_id, _ = member
    await applied(client.patch(f"/persons/{person_id}/personal-data", json={"joining_outlet": {"outlet": "P777"}},
                               headers=customer(settings, person_id)), own, settings, pools, config)
    (membership,) = extract_of(client, settings, person_id)["memberships"]
    assert membership["joining_outlet"] == "P777"
    assert [(h["previous"], h["value"], h["source"]) for h in membership["joining_outlet_history"]] == [
        ("P001", "P777", "customer")]
    someone_elses = client.patch(f"/persons/{person_id}/personal-data",
                                 json={"joining_outlet": {"membership_id": unique("m"), "outlet": "P1"}},
                                 headers=customer(settings, person_id))
    command, _ = await staged(own, settings, someone_elses.json()["change"]["change_id"])
    assert await refusal(pools["membership"], config, MembershipCommand.model_validate(command).root) == "not_a_member"


async def test_staff_data_are_corrected_only_by_the_staff_role_that_may_and_hertta_supersedes_them(
        client, settings, own, pools, config, member):
    person_id, code = member
    hertta = StaffUpdate(update_id=unique("hr"), identity_code=code, employer=EMPLOYER,
                         employment_start=date(2020, 1, 1), staff_discount=True, source_time=SINCE)
    await handle(pools["membership"], apply_staff_updates, hertta, config=config)
    correction = {"staff_employment": {"employer": EMPLOYER, "employment_start": "2020-01-01",
                                       "employment_end": (NOW - timedelta(days=2)).date().isoformat(),
                                       "staff_discount": False}}
    by_customer = client.patch(f"/persons/{person_id}/personal-data", json=correction,
                               headers=customer(settings, person_id))
    assert (by_customer.status_code, by_customer.json()["error"]) == (422, "staff_data_from_hr_register")
    assert "Hertta" in by_customer.json()["detail"]
    by_customer_service = client.patch(f"/persons/{person_id}/personal-data", json=correction,
                                       headers=bearer(settings, "customer_service"))
    assert by_customer_service.status_code == 403
    admin = bearer(settings, "membership_admin", user="ville")
    await applied(client.patch(f"/persons/{person_id}/personal-data", json=correction, headers=admin),
                  own, settings, pools, config)
    (employment,) = extract_of(client, settings, person_id)["staff"]
    assert (employment["staff_discount"], employment["source"]) == (False, "staff")
    assert [(h["previous"]["staff_discount"], h["value"]["staff_discount"], h["source"])
            for h in employment["history"]] == [(True, False, "staff")]
    # Hertta's later word supersedes the correction, and the correction stays in the history
    # later than the correction, which took the wall clock's time (NOW is the session's start)
    later = hertta.model_copy(update={"update_id": unique("hr"),
                                      "source_time": datetime.now(timezone.utc) + timedelta(minutes=5),
                                      "employment_end": None})
    await handle(pools["membership"], apply_staff_updates, later, config=config)
    (employment,) = extract_of(client, settings, person_id)["staff"]
    assert (employment["staff_discount"], employment["employment_end"], employment["source"]) == (
        True, None, "hr_register")
    assert [h["source"] for h in employment["history"]] == ["staff", "hr_register"]


async def test_the_benefit_account_is_changed_by_the_customer_and_by_staff_and_stays_encrypted(
        client, settings, own, pools, config, member):
    person_id, _ = member
    new_iban = "FI4950009420028730"
    response = client.put(f"/persons/{person_id}/benefit-account", json={"iban": new_iban},
                          headers=customer(settings, person_id))
    _, headers = await staged(own, settings, response.json()["change"]["change_id"])
    assert new_iban.encode() not in headers["value"]  # sealed for the person on its way
    await applied(response, own, settings, pools, config)
    await applied(client.put(f"/persons/{person_id}/benefit-account", json={"iban": IBAN},
                             headers=bearer(settings, "customer_service")), own, settings, pools, config)
    accounts = extract_of(client, settings, person_id)["benefit_account"]
    assert [(a["iban"], a["source"], a["valid_to"] is None) for a in accounts] == [
        (IBAN, "customer", False), (new_iban, "customer", False), (IBAN, "staff", True)]
    at_rest = await pools["membership"].fetch("SELECT b::text AS row FROM benefit_accounts b WHERE person_id = $1",
                                              person_id)
    assert not any(new_iban in r["row"] or IBAN in r["row"] for r in at_rest)


async def test_contact_data_corrected_by_staff_keep_staff_as_their_source(client, settings, own, pools, config, member):
    person_id, _ = member
    await applied(client.patch(f"/persons/{person_id}/contact", json={"email": "maija.uusi@example.fi"},
                               headers=bearer(settings, "customer_service")), own, settings, pools, config)
    contact = extract_of(client, settings, person_id)["contact"]
    assert contact["email"] == {"address": "maija.uusi@example.fi"}
    assert contact["sources"]["email"]["source"] == "staff"
    assert [(h["value"], h["source"]) for h in contact["history"] if h["field_group"] == "email"] == [
        ({"address": "maija@example.fi"}, "customer")]


async def test_the_household_is_corrected_by_its_moves_with_their_history(client, settings, own, pools, config,
                                                                           member):
    main_id, _ = member
    adult = register(registered_at=SINCE)
    await run(pools["membership"], config, adult)
    invited = client.post(f"/persons/{main_id}/household/invitations", json={"invitee_person_id": adult.person_id},
                          headers=customer(settings, main_id))
    await applied(invited, own, settings, pools, config)
    invitation = invited.json()["change"]["invitation_id"]
    await applied(client.post(f"/persons/{adult.person_id}/household/invitations/{invitation}/accept",
                              headers=customer(settings, adult.person_id)), own, settings, pools, config)
    await applied(client.post(f"/persons/{adult.person_id}/household/leave",
                              headers=customer(settings, adult.person_id)), own, settings, pools, config)
    (period,) = extract_of(client, settings, adult.person_id)["household"]["history"]
    assert (period["joined_by"], period["left_because"], period["valid_to"] is not None) == (
        "accepted_invitation", "left", True)


async def test_the_owner_customer_agreement_accepted_at_joining_is_in_the_extract(client, settings, pools, config):
    accepted_at = SINCE - timedelta(minutes=3)
    online = register(registered_at=SINCE)
    joined = join(online.person_id, at=SINCE, agreement=AgreementAcceptance(
        terms_version="s-group-rules-2021-12-31", accepted_at=accepted_at, channel="online"))
    older_sender = register(registered_at=SINCE)
    await run(pools["membership"], config, online, joined, older_sender, join(older_sender.person_id, at=SINCE))
    (membership,) = extract_of(client, settings, online.person_id)["memberships"]
    agreement = membership["agreement"]
    assert (agreement["terms_version"], datetime.fromisoformat(agreement["accepted_at"]), agreement["channel"]) == (
        "s-group-rules-2021-12-31", accepted_at, "online")
    # a joining that names no agreement was accepted with the joining, under the terms the register has in force
    (membership,) = extract_of(client, settings, older_sender.person_id)["memberships"]
    assert membership["agreement"]["terms_version"] == settings.membership.agreement_terms_version
    assert membership["agreement"]["channel"] is None
    # a transfer to another cooperative continues under the agreement accepted when joining
    await run(pools["membership"], config, TransferMembership(person_id=online.person_id, to_cooperative_id="turun",
                                                              new_membership_id=unique("m"), transferred_at=NOW))
    old, new = extract_of(client, settings, online.person_id)["memberships"]
    assert new["agreement"] == old["agreement"] and new["agreement"]["channel"] == "online"


def test_the_terms_in_force_are_a_setting(settings, monkeypatch):
    monkeypatch.setenv("COOPREG_MEMBERSHIP_AGREEMENT_TERMS_VERSION", "s-group-rules-2026-01-01")
    assert MembershipConfig.from_settings(Settings()).agreement_terms_version == "s-group-rules-2026-01-01"


async def test_replaced_values_expire_with_their_group_and_go_with_an_erasure(pools, config, member):
    person_id, _ = member
    pool = pools["membership"]
    await run(pool, config, RectifyPersonalData(person_id=person_id, joining_outlet={"outlet": "P9"},
                                                children_birth_years=[2012, 2016], rectified_at=NOW))

    async def kept() -> tuple[int, int]:
        return (await pool.fetchval("SELECT count(*) FROM corrections WHERE person_id = $1", person_id),
                await pool.fetchval("SELECT count(*) FROM base_data WHERE person_id = $1 AND field_group ="
                                    " 'children_birth_years' AND ended_at IS NOT NULL", person_id))
    assert await kept() == (1, 1)
    async with pool.acquire() as conn, conn.transaction():
        await erase_expired(conn, {"ended_base_data": NOW - timedelta(days=1)})
    assert await kept() == (1, 1)  # replaced today: within its period
    async with pool.acquire() as conn, conn.transaction():
        await erase_expired(conn, {"ended_base_data": NOW + timedelta(days=1)})
    assert await kept() == (0, 0)
    await run(pool, config, RectifyPersonalData(person_id=person_id, joining_outlet={"outlet": "P10"},
                                                rectified_at=NOW + timedelta(seconds=1)))
    assert await kept() == (1, 0)
    await run(pool, config, Resign(person_id=person_id, resigned_at=NOW + timedelta(seconds=2)))
    async with pool.acquire() as conn, conn.transaction():
        await erase_person(conn, person_id)
    assert await kept() == (0, 0)
