"""The digital service on the real PostgreSQL: its handlers (profiles with address history, orders with late
statuses, digital services, the contact log with its notes encrypted at rest), its part of a person read
through the register API by role, and its part of the retention run and of an erasure handed on as Kafka
would (tests/support/privacy.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.events.digital import CustomerContact, DigitalServiceOrder, WebStoreCustomerUpdate, WebStoreOrder
from services.digital.application.config import DigitalConfig
from services.digital.application.inbound import apply_contacts, apply_orders, apply_profiles, apply_service_orders
from services.membership.application.config import MembershipConfig
from shared.delivery import Rejected
from tests.support.consent import unique
from tests.support.factories import incoming
from tests.support.membership_db import run
from tests.support.people import register
from tests.support.privacy import hand_on
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture, schema_text
from tests.support.retention import handed_on_retention_run

DPO = "data_protection_officer"
NOTES = "Kertoi muuttavansa Tampereelle; kortti kadonnut raitiovaunussa"

client = client_fixture()
own = own_fixture()


async def _apply(pools, handler, *payloads, **kwargs) -> int:
    async with pools["digital"].acquire() as conn, conn.transaction():
        return await handler(conn, [incoming(p) for p in payloads], **kwargs)


def _profile(person_id: str, at, *addresses: tuple[str, str], segment: str | None = "family-weekly"):
    return WebStoreCustomerUpdate(
        update_id=unique("u"), person_id=person_id, store="s-kaupat", segment=segment, source_time=at,
        delivery_addresses=[{"address_id": a, "address": {"street": street, "postal_code": "00100",
                                                          "city": "Helsinki"}} for a, street in addresses])


def _order(person_id: str, order_id: str, status: str, at, placed=None):
    return WebStoreOrder(order_id=order_id, store="s-kaupat", person_id=person_id, status=status, status_at=at,
                         placed_at=placed or at, delivery_method="home_delivery", currency="EUR", total_cents=8790)


def _service(person_id: str, action: str, at, item: str = "prisma-weekly"):
    return DigitalServiceOrder(event_id=unique("s"), person_id=person_id, service="newsletter", item=item,
                               action=action, at=at)


def _contact(person_id: str, at, notes: str | None = NOTES):
    return CustomerContact(contact_id=unique("c"), person_id=person_id, channel="phone", reason="card_lost",
                           handler="cs-anna", contacted_at=at, notes=notes)


async def _customer(pools, settings, at=NOW - timedelta(days=1)) -> str:
    customer = register(registered_at=at)
    await run(pools["membership"], MembershipConfig.from_settings(settings), customer)
    return customer.person_id


async def test_delivery_addresses_keep_their_history_and_an_older_update_changes_nothing(pools):
    person = unique("p")
    day = NOW - timedelta(days=10)
    await _apply(pools, apply_profiles, _profile(person, day, ("home", "Kotikatu 1"), ("cabin", "Mökkitie 9")))
    moved = _profile(person, day + timedelta(days=2), ("home", "Uusikatu 2"), segment="frequent")
    assert await _apply(pools, apply_profiles, moved) == 0
    assert await _apply(pools, apply_profiles, moved.model_copy(update={"update_id": unique("u")})) == 1  # same state
    stale = _profile(person, day + timedelta(days=1), ("home", "Vanhakatu 3"), segment="lapsed")
    assert await _apply(pools, apply_profiles, stale) == 1
    rows = await pools["digital"].fetch("SELECT address_id, value->'address'->>'street' AS street, replaced_at"
                                        " FROM delivery_addresses WHERE person_id = $1"
                                        " ORDER BY replaced_at NULLS LAST, address_id",
                                        person)
    assert [(r["address_id"], r["street"], r["replaced_at"]) for r in rows] == [
        ("cabin", "Mökkitie 9", day + timedelta(days=2)), ("home", "Kotikatu 1", day + timedelta(days=2)),
        ("home", "Uusikatu 2", None)]
    assert await pools["digital"].fetchval("SELECT segment FROM web_store_profiles WHERE person_id = $1",
                                           person) == "frequent"


async def test_an_order_keeps_its_latest_status_with_the_late_ones_in_its_history(pools):
    person, order = unique("p"), unique("o")
    placed = NOW - timedelta(days=3)
    await _apply(pools, apply_orders, _order(person, order, "placed", placed),
                 _order(person, order, "delivered", placed + timedelta(days=1), placed))
    assert await _apply(pools, apply_orders, _order(person, order, "picking", placed + timedelta(hours=3), placed)) == 0
    assert await _apply(pools, apply_orders, _order(person, order, "picking", placed + timedelta(hours=3), placed)) == 1
    row = await pools["digital"].fetchrow("SELECT status, ended_at FROM web_orders WHERE order_id = $1", order)
    assert (row["status"], row["ended_at"]) == ("delivered", placed + timedelta(days=1))
    history = await pools["digital"].fetch("SELECT status FROM web_order_statuses WHERE order_id = $1 ORDER BY at",
                                           order)
    assert [r["status"] for r in history] == ["placed", "picking", "delivered"]
    with pytest.raises(Rejected) as refused:
        await _apply(pools, apply_orders, _order(unique("p"), order, "returned", NOW, placed))
    assert refused.value.reason == "order_person_changed"


async def test_services_are_ordered_and_cancelled_and_a_cancellation_of_nothing_is_counted(pools):
    person = unique("p")
    await _apply(pools, apply_service_orders, _service(person, "ordered", NOW - timedelta(days=5)),
                 _service(person, "cancelled", NOW - timedelta(days=2)), _service(person, "ordered", NOW))
    assert await _apply(pools, apply_service_orders, _service(person, "cancelled", NOW, item="never-ordered")) == 1
    rows = await pools["digital"].fetch("SELECT ordered_at, cancelled_at FROM digital_services WHERE person_id = $1"
                                        " ORDER BY ordered_at", person)
    assert [tuple(r) for r in rows] == [(NOW - timedelta(days=5), NOW - timedelta(days=2)), (NOW, None)]


async def test_the_contact_logs_notes_are_encrypted_at_rest_and_read_back_in_the_extract(client, settings, pools):
    person = await _customer(pools, settings)
    contact = _contact(person, NOW - timedelta(hours=2))
    await _apply(pools, apply_contacts, contact, config=DigitalConfig.from_settings(settings))
    await _apply(pools, apply_orders, _order(person, unique("o"), "placed", NOW - timedelta(hours=1)))
    await _apply(pools, apply_profiles, _profile(person, NOW, ("home", "Kotikatu 1")))
    assert "Tampereelle" not in await schema_text(pools["digital"], "digital")
    assert await pools["digital"].fetchval("SELECT notes_sealed IS NOT NULL AND notes_encrypted IS NULL"
                                           " FROM contact_log WHERE contact_id = $1", contact.contact_id)
    mine = bearer(settings, "data_subject", person_id=person)
    request = client.post(f"/persons/{person}/extract-requests", headers=mine).json()["extract_request"]
    extract = client.get(f"/extract-requests/{request['request_id']}/document", headers=mine).json()
    assert [c["notes"] for c in extract["contact_log"]] == [NOTES] and "digital" in extract["extract"]["sources"]
    assert extract["contact_log"][0]["handler"] == "cs-anna" and extract["web_orders"][0]["status"] == "placed"
    assert extract["web_store"]["delivery_addresses"][0]["address"]["street"] == "Kotikatu 1"
    # customer service sees the digital sections; the marketing analyst none of them
    sections = {"sections": ["web_store", "web_orders", "digital_services", "contact_log"]}
    staff = client.get(f"/persons/{person}", params=sections, headers=bearer(settings, "customer_service")).json()
    assert staff["contact_log"][0]["notes"] == NOTES and staff["web_orders"][0]["history"][0]["status"] == "placed"
    analyst = client.get(f"/persons/{person}", headers=bearer(settings, "marketing_analyst"))
    assert analyst.status_code == 200 and not {"web_store", "web_orders", "contact_log"} & set(analyst.json())


async def test_the_retention_run_erases_what_ended_over_two_years_ago_and_only_that(client, settings, pools, own):
    person, config = unique("p"), DigitalConfig.from_settings(settings)
    old, recent = NOW - timedelta(days=800), NOW - timedelta(days=300)
    old_order, open_order, recent_order = unique("o"), unique("o"), unique("o")
    await _apply(pools, apply_orders, _order(person, old_order, "delivered", old),
                 _order(person, open_order, "placed", old), _order(person, recent_order, "collected", recent))
    await _apply(pools, apply_profiles, _profile(person, old - timedelta(days=5), ("home", "Kotikatu 1")))
    await _apply(pools, apply_profiles, _profile(person, old, ("home", "Uusikatu 2")))
    await _apply(pools, apply_service_orders, _service(person, "ordered", old - timedelta(days=9)),
                 _service(person, "cancelled", old), _service(person, "ordered", old, item="s-mobiili"))
    await _apply(pools, apply_contacts, _contact(person, old), _contact(person, recent), config=config)
    report = await handed_on_retention_run(client, settings, own, pools)
    erased = report["erased"]["digital"]
    assert erased["web_store_orders"] >= 1 and erased["delivery_addresses"] >= 1
    assert erased["orders"] >= 1 and erased["contact_log"] >= 1
    orders = await pools["digital"].fetch("SELECT order_id FROM web_orders WHERE person_id = $1 ORDER BY order_id",
                                          person)
    assert sorted(r["order_id"] for r in orders) == sorted([open_order, recent_order])  # open: not ended
    streets = await pools["digital"].fetch("SELECT value->'address'->>'street' AS s FROM delivery_addresses"
                                           " WHERE person_id = $1", person)
    assert [r["s"] for r in streets] == ["Uusikatu 2"]  # the current one stays however old
    services = await pools["digital"].fetch("SELECT item FROM digital_services WHERE person_id = $1", person)
    assert [r["item"] for r in services] == ["s-mobiili"]
    contacts = await pools["digital"].fetch("SELECT contacted_at FROM contact_log WHERE person_id = $1", person)
    assert [r["contacted_at"] for r in contacts] == [recent]
    again = await handed_on_retention_run(client, settings, own, pools)
    assert again["erased"]["digital"] == {"web_store_orders": 0, "delivery_addresses": 0, "orders": 0,
                                          "contact_log": 0, "saved_carts": 0, "digital_usage": 0,
                                          "entered_data": 0, "inactive_customer": 0}


async def test_an_erasure_takes_the_persons_digital_rows_and_what_comes_later_is_dropped(client, settings, pools, own):
    person, config = await _customer(pools, settings), DigitalConfig.from_settings(settings)
    await _apply(pools, apply_profiles, _profile(person, NOW, ("home", "Erasurekatu 7")))
    await _apply(pools, apply_orders, _order(person, unique("o"), "delivered", NOW))
    await _apply(pools, apply_service_orders, _service(person, "ordered", NOW))
    await _apply(pools, apply_contacts, _contact(person, NOW), config=config)
    requested = client.post(f"/persons/{person}/erasure", headers=bearer(settings, DPO))
    assert requested.status_code == 202, requested.text
    assert requested.json()["erasure"]["services"]["digital"] == {"status": "pending"}
    assert len(requested.json()["erasure"]["services"]) == 6
    await hand_on(settings, own, pools)
    erasure = client.get(f"/erasures/{requested.json()['erasure']['request_id']}", headers=bearer(settings, DPO))
    assert erasure.json()["erasure"]["status"] == "completed", erasure.text
    assert erasure.json()["erasure"]["services"]["digital"]["rows"] == {
        "delivery_addresses": 1, "web_store_profiles": 1, "web_orders": 1, "digital_services": 1, "contact_log": 1,
        "web_order_statuses": 1, "saved_carts": 0, "digital_usage": 0, "entered_data": 0, "customer_activity": 1}
    for table in ("delivery_addresses", "web_store_profiles", "web_orders", "digital_services", "contact_log"):
        assert not await pools["digital"].fetchval(f"SELECT count(*) FROM {table} WHERE person_id = $1", person), table
    assert "Erasurekatu" not in await schema_text(pools["digital"], "digital")
    # a web store or customer service that has not heard yet: acknowledged, counted, not stored
    assert await _apply(pools, apply_contacts, _contact(person, NOW), config=config) == 0
    assert await _apply(pools, apply_orders, _order(person, unique("o"), "placed", NOW)) == 0
    assert not await pools["digital"].fetchval("SELECT count(*) FROM contact_log WHERE person_id = $1", person)
    assert not await pools["digital"].fetchval("SELECT count(*) FROM web_orders WHERE person_id = $1", person)
    assert await pools["digital"].fetchval("SELECT count FROM ignored_updates WHERE source = 'customerservice'"
                                           " AND reason = 'person_erased'") >= 1
