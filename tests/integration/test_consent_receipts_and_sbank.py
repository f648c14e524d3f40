"""Consent receipts and the S-Bank exchange on the real PostgreSQL: every change kept with who, what, source,
collection point and time; the latest in force whatever the arrival order; S-Bank's changes applied by
source time and never sent back; the register's own changes sent with only their consent part."""
from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest

from contracts.events.sbank import MarketingPermissions, MarketingProhibitions, SbankCustomerUpdate
from contracts.topics import CONSENT_STATES, REGISTER_SBANK_UPDATES
from services.consent.application.config import ConsentConfig
from services.consent.application.membership_events import apply_person_states
from services.consent.application.sbank_inbound import apply_linked_parked, apply_sbank_updates
from shared.delivery import Rejected
from tests.support.consent import (
    T0,
    block,
    commands,
    outbox_values,
    permission,
    person_state,
    person_states,
    unique,
)
from tests.support.factories import incoming
from tests.support.membership_db import handle
from tests.support.service_fixtures import config_of, pool_of

config, pool = config_of(ConsentConfig), pool_of("consent")


async def in_force(pool, person_id: str) -> dict[str, bool]:
    rows = await pool.fetch("SELECT item, value FROM consent_items WHERE person_id = $1", person_id)
    return {r["item"]: r["value"] for r in rows}


def from_sbank(ref: str, minutes: float, origin: str = "sbank", **fields) -> SbankCustomerUpdate:
    return SbankCustomerUpdate(update_id=unique("sb"), sbank_customer_ref=ref, origin=origin,
                               source_time=T0 + timedelta(minutes=minutes), **fields)


async def shared_customer(pool, config) -> tuple[str, str]:
    person_id, ref = unique("p"), unique("SB")
    await person_states(pool, config, person_state(person_id, sbank_customer=True, sbank_customer_ref=ref))
    return person_id, ref


async def test_every_change_is_a_receipt_and_the_latest_is_in_force(pool, config):
    person_id = unique("p")
    # granted at minute 10; a withdrawal made at minute 5 arrives afterwards
    await commands(pool, config, permission(person_id, 10, source="customer_service"),
                   permission(person_id, 5, granted=False))
    assert await in_force(pool, person_id) == {"permission:email": True}
    history = await pool.fetch("SELECT * FROM consent_history WHERE person_id = $1 ORDER BY source_time", person_id)
    assert [(r["value"], r["source"], r["collection_point"], r["actor"]) for r in history] == [
        (False, "self_service", "s-mobiili", "customer"), (True, "customer_service", "s-mobiili", "customer")]
    # the customer withdraws at minute 20: the grant's withdrawal time is kept
    await commands(pool, config, permission(person_id, 20, granted=False))
    grant = await pool.fetchrow("SELECT * FROM consent_history WHERE person_id = $1 AND value", person_id)
    assert grant["ended_at"] == T0 + timedelta(minutes=20)
    with pytest.raises(asyncpg.RaiseError):
        await pool.execute("UPDATE consent_receipts SET value = true WHERE person_id = $1", person_id)


async def test_the_consent_state_is_published_only_when_it_changes(pool, config):
    person_id = unique("p")
    await commands(pool, config, block(person_id, "telemarketing", 1), block(person_id, "telemarketing", 2))
    await commands(pool, config, block(person_id, "product_data_collection", 3))
    states = await outbox_values(pool, CONSENT_STATES.name, person_id)
    assert [s["version"] for s in states] == [1, 2]
    assert states[-1]["blocks"] == ["product_data_collection", "telemarketing"]
    assert states[-1]["product_data_targeting_blocked"] is True


async def test_a_change_for_an_erased_person_is_refused(pool, config):
    person_id = unique("p")
    await person_states(pool, config, person_state(person_id), person_id)
    with pytest.raises(Rejected) as refused:
        await commands(pool, config, permission(person_id, 1))
    assert refused.value.reason == "person_erased"


async def test_the_registers_own_change_goes_to_sbank_with_only_its_consent_part(pool, config):
    person_id, ref = await shared_customer(pool, config)
    await commands(pool, config, permission(person_id, 1), block(person_id, "surveys", 2),
                   block(person_id, "product_data_targeting", 3))
    updates = await outbox_values(pool, REGISTER_SBANK_UPDATES.name, ref)
    assert [(u["permissions"], u["prohibitions"], u["origin"]) for u in updates] == [
        ({"email": True, "sms": None}, None, "register"),
        (None, {"surveys": True, "all_marketing": None, "direct_mail": None, "telemarketing": None}, "register")]
    assert all(u["update_id"].startswith("consent-") and u["name"] is None for u in updates)


async def test_sbank_changes_apply_by_source_time_and_never_go_back(pool, config):
    person_id, ref = await shared_customer(pool, config)
    newer = from_sbank(ref, 10, permissions=MarketingPermissions(sms=True))
    older = from_sbank(ref, 5, permissions=MarketingPermissions(sms=False),
                       prohibitions=MarketingProhibitions(telemarketing=True))
    await handle(pool, apply_sbank_updates, newer, older, newer, config=config)
    assert await in_force(pool, person_id) == {"permission:sms": True, "block:telemarketing": True}
    assert await outbox_values(pool, REGISTER_SBANK_UPDATES.name, ref) == []
    assert await pool.fetchval("SELECT count(*) FROM consent_receipts WHERE person_id = $1 AND source = 'sbank'",
                               person_id) == 4


async def test_an_echo_of_the_registers_own_change_is_ignored(pool, config):
    person_id, ref = await shared_customer(pool, config)
    echoes = await pool.fetchval("SELECT coalesce(sum(count), 0) FROM ignored_updates WHERE reason = 'echo'")
    await handle(pool, apply_sbank_updates, from_sbank(ref, 1, origin="register",
                                                       permissions=MarketingPermissions(email=True)), config=config)
    assert await in_force(pool, person_id) == {}
    assert await pool.fetchval("SELECT sum(count) FROM ignored_updates WHERE reason = 'echo'") == echoes + 1


async def test_base_data_only_updates_are_not_the_consent_services(pool, config):
    person_id, ref = await shared_customer(pool, config)
    await handle(pool, apply_sbank_updates, from_sbank(ref, 1, phone="+358401234567"), config=config)
    assert await in_force(pool, person_id) == {}


async def test_an_sbank_change_for_a_reference_not_linked_yet_waits_for_the_link(pool, config):
    person_id, ref = unique("p"), unique("SB")
    await person_states(pool, config, person_state(person_id))
    await handle(pool, apply_sbank_updates, from_sbank(ref, 1, permissions=MarketingPermissions(email=True)),
                 config=config)
    assert await in_force(pool, person_id) == {}
    # the membership service links the reference (by the identity code) and publishes the person
    await person_states(pool, config, person_state(person_id, 2, sbank_customer=True, sbank_customer_ref=ref))
    assert await in_force(pool, person_id) == {"permission:email": True}
    assert await pool.fetchval("SELECT count(*) FROM sbank_parked WHERE sbank_customer_ref = $1", ref) == 0
    assert await outbox_values(pool, REGISTER_SBANK_UPDATES.name, ref) == []


async def test_an_sbank_change_parked_while_its_link_was_being_applied_is_applied_by_the_sweep(pool, config):
    person_id, ref = unique("p"), unique("SB")
    await person_states(pool, config, person_state(person_id))
    async with pool.acquire() as linking:
        transaction = linking.transaction()
        await transaction.start()
        await apply_person_states(linking, [incoming(person_state(person_id, 2, sbank_customer=True,
                                                                  sbank_customer_ref=ref))], config)
        # S-Bank's change arrives before the link is committed: it cannot see it, and parks
        await handle(pool, apply_sbank_updates, from_sbank(ref, 1, permissions=MarketingPermissions(email=True)),
                     config=config)
        await transaction.commit()
    # the link's own look at the parked changes came before the parking was committed: nothing applied
    assert await in_force(pool, person_id) == {}
    assert await pool.fetchval("SELECT count(*) FROM sbank_parked WHERE sbank_customer_ref = $1", ref) == 1
    await apply_linked_parked(pool, config)
    assert await in_force(pool, person_id) == {"permission:email": True}
    assert await pool.fetchval("SELECT count(*) FROM sbank_parked WHERE sbank_customer_ref = $1", ref) == 0


async def test_the_registers_marketing_prohibition_is_a_receipt_with_its_source(pool, config):
    person_id = unique("p")
    await person_states(pool, config, person_state(person_id))
    await person_states(pool, config, person_state(person_id, 2, marketing_prohibition=True,
                                                   marketing_prohibition_source="population_register"))
    await person_states(pool, config, person_state(person_id, 2, marketing_prohibition=False))  # stale: ignored
    receipt = await pool.fetchrow("SELECT * FROM consent_receipts WHERE person_id = $1", person_id)
    assert (receipt["item"], receipt["value"], receipt["source"]) == ("block:all_marketing", True,
                                                                    "population_register")
    assert (await outbox_values(pool, CONSENT_STATES.name, person_id))[-1]["marketing_prohibited"] is True


async def test_an_erased_persons_sbank_changes_are_neither_applied_nor_parked_until_they_register_again(pool, config):
    person_id, ref = await shared_customer(pool, config)
    await person_states(pool, config, person_id)  # the erasure
    ignored = "SELECT coalesce(sum(count), 0) FROM ignored_updates WHERE source = 'sbank' AND reason = $1"
    before = await pool.fetchval(ignored, "erased_subject")
    grant = from_sbank(ref, 5, permissions=MarketingPermissions(email=True))
    await handle(pool, apply_sbank_updates, grant, config=config)
    assert await pool.fetchval(ignored, "erased_subject") == before + 1
    assert await pool.fetchval("SELECT count(*) FROM sbank_parked WHERE sbank_customer_ref = $1", ref) == 0
    assert await pool.fetchval("SELECT count(*) FROM consent_receipts WHERE person_id = $1", person_id) == 0
    assert await pool.fetchval("SELECT count(*) FROM erased_sbank_customers WHERE token = $1", ref) == 0  # no clear ref
    # the person registers again themselves: the membership service publishes them with S-Bank's reference
    again = unique("p")
    await person_states(pool, config, person_state(again, sbank_customer=True, sbank_customer_ref=ref))
    await handle(pool, apply_sbank_updates, from_sbank(ref, 6, permissions=MarketingPermissions(email=True)),
                 config=config)
    assert await in_force(pool, again) == {"permission:email": True}
    assert await pool.fetchval(ignored, "erased_subject") == before + 1
