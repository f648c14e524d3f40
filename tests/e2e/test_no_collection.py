"""The no-collection block on the real stack: a household's receipt with medicine and alcohol lines is stored,
published and booked with its line detail; the customer's block travels consent.commands.v1 →
consent.states.v1 to the purchases and bonus services, which remove that detail from what they hold and
keep none of it from the next receipt, while the Bonus figures stay."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import orjson
import pytest

from contracts.topics import CONSENT_COMMANDS, MEMBERSHIP_COMMANDS, POS_PURCHASES
from coopreg.simulate.receipts import card_number, pos_purchase
from tests.e2e.test_purchase_to_payout import cards_known, issue_card
from tests.support.consent import block
from tests.support.people import join, register
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
AT = datetime(2031, 5, 14, 12, 0, tzinfo=timezone.utc)
LINES = [("grocery", 3000), ("medicine", 1290), ("alcohol", 990)]


def line_detail(excluded: str) -> bool:
    return any(e["line_no"] is not None for e in orjson.loads(excluded))


async def held(db, receipt_id: str) -> tuple | None:
    """(stored lines, stored line exclusions, booked line exclusions, booked Bonus cents) once booked."""
    stored = await db.fetchrow("SELECT lines, excluded FROM purchases.receipts WHERE receipt_id = $1", receipt_id)
    booked = await db.fetchrow("SELECT excluded, bonus_cents FROM bonus.purchases WHERE receipt_id = $1", receipt_id)
    if stored is None or booked is None:
        return None
    return (len(orjson.loads(stored["lines"])), line_detail(stored["excluded"]), line_detail(booked["excluded"]),
            booked["bonus_cents"])


async def test_the_block_removes_line_detail_held_and_keeps_none_of_the_next_receipt(client, db):
    customer = register()
    joined = join(customer.person_id)
    for command in (customer, joined):
        await client.send(MEMBERSHIP_COMMANDS, customer.person_id, command)
    number = card_number(uuid.uuid4().int % 10**10)
    await issue_card(client, customer.person_id, joined.household_id, number)
    await eventually(lambda: cards_known(db, joined.household_id, 1))
    await eventually(lambda: db.fetchval("SELECT household_id = $2 FROM consent.persons WHERE person_id = $1",
                                         customer.person_id, joined.household_id))
    before = pos_purchase(f"r-{uuid.uuid4().hex}", number, AT, LINES)
    await client.send(POS_PURCHASES, before.receipt_id, before)
    await client.flush()
    await eventually(lambda: _is(held(db, before.receipt_id), (3, True, True, 3000)))

    await client.send(CONSENT_COMMANDS, customer.person_id, block(customer.person_id, "product_data_collection", 1))
    await client.flush()
    await eventually(lambda: _is(held(db, before.receipt_id), (0, False, False, 3000)))

    after = pos_purchase(f"r-{uuid.uuid4().hex}", number, AT, LINES)
    await client.send(POS_PURCHASES, after.receipt_id, after)
    await client.flush()
    await eventually(lambda: _is(held(db, after.receipt_id), (0, False, False, 3000)))
    reasons = await db.fetch("SELECT reason FROM bonus.accrual_exclusions WHERE household_id = $1",
                             joined.household_id)
    assert [r["reason"] for r in reasons] == []


async def _is(awaitable, expected) -> bool:
    return await awaitable == expected
