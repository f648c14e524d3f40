"""Partner purchases on the real stack: a registration made by a membership command reaches the purchases
service on `membership.persons.v1`, and a partner purchase is credited only under it."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from contracts.events.card_commands import RegisterMemberNumber
from contracts.events.membership import EndPartnerRegistration, RegisterWithPartner
from contracts.events.partner import PartnerPurchase
from contracts.topics import CARD_COMMANDS, MEMBERSHIP_COMMANDS, PARTNER_PURCHASES
from tests.support.people import T0, join, register
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")


async def test_a_membership_registration_with_a_partner_decides_which_partner_purchases_earn_bonus(client, db):
    customer = register()
    joined = join(customer.person_id, cents=10000)
    person, ended = customer.person_id, T0 + timedelta(days=10)
    for command in (customer, joined, RegisterWithPartner(person_id=person, partner_id="elisa",
                                                          valid_from=T0 + timedelta(days=1)),
                    EndPartnerRegistration(person_id=person, partner_id="elisa", ended_at=ended)):
        await client.send(MEMBERSHIP_COMMANDS, person, command)
    number = str(uuid.uuid4().int % 10**12).zfill(12)
    await client.send(CARD_COMMANDS, person, RegisterMemberNumber(
        command="register_member_number", member_number=number, person_id=person, household_id=joined.household_id,
        cooperative_id=joined.cooperative_id, membership_id=joined.membership_id, valid_from=T0))
    await client.flush()

    async def registration_ended():  # the purchases service's projection has the ended registration
        return await db.fetchval("SELECT valid_to FROM purchases.partner_registrations WHERE person_id = $1"
                                 " AND partner_id = 'elisa'", person) == ended
    await eventually(registration_ended, timeout=60)

    during, after = (PartnerPurchase(purchase_id=uuid.uuid4().hex, partner_id="elisa", member_number=number,
                                     purchased_at=at, currency="EUR", total_cents=cents)
                     for at, cents in ((ended - timedelta(days=1), 3990), (ended + timedelta(days=1), 2990)))
    for purchase in (during, after):
        await client.send(PARTNER_PURCHASES, purchase.purchase_id, purchase)
    await client.flush()

    async def credited() -> dict | None:
        rows = await db.fetch("SELECT receipt_id, bonus_eligible_cents FROM purchases.receipts"
                              " WHERE receipt_id = ANY($1) AND status = 'accepted'",
                              [f"partner:elisa:{p.purchase_id}" for p in (during, after)])
        return {r["receipt_id"]: r["bonus_eligible_cents"] for r in rows} if len(rows) == 2 else None
    assert await eventually(credited, timeout=60) == {f"partner:elisa:{during.purchase_id}": 3990,
                                                      f"partner:elisa:{after.purchase_id}": 0}
