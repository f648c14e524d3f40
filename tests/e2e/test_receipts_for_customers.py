"""What the register keeps of a purchase for its customer, on the real stack: a customer chooses e-receipts on
consent.commands.v1, a POS receipt over Kafka (a television paid two ways, the card read contactless, a
staff discount the customer has no right to) becomes a purchase with its card use, payments and a flagged
discount, an e-receipt and a warranty receipt; all in the customer's extract, the discount listed by
`coopreg purchases staff-discounts --flagged`; the warranty-receipts block takes the warranty receipt. (A member
cannot be erased while a member: the erasure and the retention run through the API are
tests/integration/test_receipts_for_customers.py's.)"""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import orjson
import pytest
from fastapi.testclient import TestClient

from contracts.events.consent import ConsentCommand, SetChoice
from contracts.events.pos import Identifier, Payment, PosPurchase
from contracts.topics import CONSENT_COMMANDS, MEMBERSHIP_COMMANDS, POS_PURCHASES
from coopreg.simulate.receipts import card_number, line
from services.register_api.entrypoints.app import create_app
from tests.e2e.cli import coopreg
from tests.e2e.test_purchase_to_payout import cards_known, issue_card
from tests.support.consent import T0, block
from tests.support.people import join, register
from tests.support.register_api import bearer
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
AT = datetime(2031, 6, 2, 15, 30, tzinfo=timezone.utc)


def television(number: str) -> PosPurchase:
    lines = [line(1, "grocery", 1250), line(2, "general", 49900, group="home-electronics")]
    return PosPurchase(
        receipt_id=f"r-{uuid.uuid4().hex}", outlet_id="P042", chain="prisma", cooperative_id="hok-elanto",
        purchased_at=AT, currency="EUR", identifier=Identifier(kind="card", value=number, entry="contactless"),
        total_cents=51150, lines=lines, staff_discount_cents=2500,
        payments=[Payment(method="s_etukortti_debit", amount_cents=50000), Payment(method="cash", amount_cents=1150)])


async def test_a_pos_receipt_becomes_an_e_receipt_a_warranty_receipt_and_a_flagged_discount(settings, client, db):
    customer = register()
    joined, person = join(customer.person_id), customer.person_id
    for command in (customer, joined):
        await client.send(MEMBERSHIP_COMMANDS, person, command)
    number = card_number(uuid.uuid4().int % 10**10)
    await issue_card(client, person, joined.household_id, number)
    await eventually(lambda: cards_known(db, joined.household_id, 1))
    await client.send(CONSENT_COMMANDS, person, ConsentCommand(SetChoice(
        person_id=person, choice="e_receipts", chosen=True, source="self_service", collection_point="s-mobiili",
        at=T0 + timedelta(minutes=1))))
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT e_receipts FROM purchases.product_data_consents"
                                         " WHERE person_id = $1", person), timeout=60)
    receipt = television(number)
    await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT e_receipt AND warranty_until IS NOT NULL"
                                         " FROM purchases.customer_receipts WHERE receipt_id = $1",
                                         receipt.receipt_id), timeout=60)

    mine = bearer(settings, "data_subject", person_id=person)
    with TestClient(create_app(settings), raise_server_exceptions=False) as api:
        request = api.post(f"/persons/{person}/extract-requests", headers=mine)
        assert request.status_code == 201, request.text
        document = api.get(f"/extract-requests/{request.json()['extract_request']['request_id']}/document",
                           headers=mine).json()
        [purchase] = document["purchases"]
        assert (purchase["card_entry"], purchase["staff_discount_cents"], purchase["staff_discount_flagged"]) == (
            "contactless", 2500, True)
        assert [p["method"] for p in purchase["payments"]] == ["s_etukortti_debit", "cash"]
        assert [r["receipt_id"] for r in document["e_receipts"]] == [receipt.receipt_id]
        [warranty] = document["warranty_receipts"]
        assert warranty["warranty_until"].startswith("2033-06-02")
        assert [line["product_group"] for line in warranty["lines"]] == ["grocery", "home-electronics"]

        listed = await coopreg("purchases", "staff-discounts", "--flagged", "-o", "json", "--limit", "10000")
        assert listed.returncode == 0, listed.stderr
        flagged = [d for d in orjson.loads(listed.stdout)["discounts"] if d["receipt_id"] == receipt.receipt_id]
        assert [(d["outlet_id"], d["staff_discount_cents"], d["flagged"]) for d in flagged] == [("P042", 2500, True)]
        assert person not in listed.stdout

        await client.send(CONSENT_COMMANDS, person, block(person, "warranty_receipts", 2))
        await client.flush()
        await eventually(lambda: db.fetchval("SELECT warranty_until IS NULL FROM purchases.customer_receipts"
                                             " WHERE receipt_id = $1", receipt.receipt_id), timeout=60)
