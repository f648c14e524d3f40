"""The digital service in its own process on the real stack: an order and a contact-log entry sent on their
topics appear in the person's extract through the register API, and are gone after an erasure through it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from contracts.events.digital import CustomerContact, WebStoreOrder
from contracts.topics import CUSTOMERSERVICE_CONTACTS, MEMBERSHIP_COMMANDS, WEBSTORE_ORDERS
from services.register_api.entrypoints.app import create_app
from tests.support.people import register, unique
from tests.support.register_api import NOW, bearer
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
DPO = "data_protection_officer"
NOTES = "Asks for the order to the cabin, Mökkitie 9"


async def test_an_order_and_a_contact_reach_the_extract_and_go_with_the_erasure(settings, client, db):
    customer = register(registered_at=NOW - timedelta(days=1))
    person = customer.person_id
    await client.send(MEMBERSHIP_COMMANDS, person, customer)
    order = WebStoreOrder(order_id=unique("SK"), store="s-kaupat", person_id=person, status="confirmed",
                          status_at=NOW - timedelta(hours=1), placed_at=NOW - timedelta(hours=2),
                          delivery_method="pickup", currency="EUR", total_cents=4250)
    contact = CustomerContact(contact_id=unique("cs"), person_id=person, channel="chat", reason="order_question",
                              handler="cs-anna", contacted_at=NOW - timedelta(minutes=30), notes=NOTES)
    await client.send(WEBSTORE_ORDERS, order.order_id, order)
    await client.send(CUSTOMERSERVICE_CONTACTS, person, contact)
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT count(*) FROM membership.persons WHERE person_id = $1", person))
    await eventually(lambda: db.fetchval("SELECT count(*) = 1 FROM digital.contact_log WHERE person_id = $1", person))
    await eventually(lambda: db.fetchval("SELECT count(*) = 1 FROM digital.web_orders WHERE person_id = $1", person))
    assert "Mökkitie" not in await db.fetchval("SELECT string_agg(t::text, ' ') FROM digital.contact_log t")
    mine = bearer(settings, "data_subject", person_id=person)
    with TestClient(create_app(settings), raise_server_exceptions=False) as api:
        request = api.post(f"/persons/{person}/extract-requests", headers=mine)
        assert request.status_code == 201, request.text
        document = api.get(f"/extract-requests/{request.json()['extract_request']['request_id']}/document",
                           headers=mine).json()
        assert [(o["order_id"], o["status"], o["total_cents"]) for o in document["web_orders"]] == [
            (order.order_id, "confirmed", 4250)]
        assert [(c["contact_id"], c["notes"]) for c in document["contact_log"]] == [(contact.contact_id, NOTES)]
        erasure = api.post(f"/persons/{person}/erasure", headers=bearer(settings, DPO))
        assert erasure.status_code == 202, erasure.text
        path = f"/erasures/{erasure.json()['erasure']['request_id']}"

        async def completed():
            status = api.get(path, headers=bearer(settings, DPO)).json()["erasure"]
            return status["status"] == "completed" and status
        done = await eventually(completed, timeout=90)
        assert set(done["services"]) == {"membership", "cards", "purchases", "bonus", "consent", "digital"}
        assert done["services"]["digital"]["rows"]["contact_log"] == 1
        assert done["services"]["digital"]["rows"]["web_orders"] == 1
    assert not await db.fetchval("SELECT count(*) FROM digital.contact_log WHERE person_id = $1", person)
    assert not await db.fetchval("SELECT count(*) FROM digital.web_orders WHERE person_id = $1", person)
    assert not await db.fetchval("SELECT count(*) FROM digital.web_order_statuses WHERE order_id = $1", order.order_id)
