"""Partner purchases on the real PostgreSQL: credited only for a customer registered with the partner at
purchase time (domain.md §1.5); the rest stored and published with the reason, never dropped."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from contracts.events.cards import AllocationPeriod, CardState
from contracts.events.membership_states import PartnerRegistration, PersonState
from contracts.events.partner import PartnerPurchase
from services.purchases.application.apply_person_state import keep_person_states
from services.purchases.application.config import PurchasesConfig
from services.purchases.application.receipt_issues import partner_gauges
from services.purchases.application.record_partner_purchases import record_partner_purchases
from services.purchases.application.retention import erase_person
from shared.pseudonym import keyed_token
from tests.integration.test_receipts import T0, accepted_for, card_changes
from tests.support.consent import tombstone
from tests.support.factories import incoming


def person_state(person_id: str, version: int, *periods: tuple[str, datetime, datetime | None]) -> PersonState:
    return PersonState(person_id=person_id, version=version, customer_kind="owner_customer", language="fi",
                       deceased=False, marketing_prohibition=False, sbank_customer=False, staff_discount=False,
                       partner_registrations=[PartnerRegistration(partner_id=p, valid_from=start, valid_to=end)
                                              for p, start, end in periods])


async def customer(pool, config) -> tuple[str, str]:
    """A person with a member number resolving to their household from T0: (person id, member number)."""
    person_id, number = f"p-{uuid.uuid4().hex[:8]}", str(uuid.uuid4().int % 10**12).zfill(12)
    await card_changes(pool, CardState(
        card_token=keyed_token("member", number, config.index_key), last_four=number[-4:], card_type="cash_card",
        status="active", history=[AllocationPeriod(person_id=person_id, household_id=f"h-{person_id}",
                                                   cooperative_id="kpo", valid_from=T0)]))
    return person_id, number


async def states(pool, *states: PersonState) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await keep_person_states(conn, [incoming(s) for s in states])


async def bought(pool, config, number: str, at: datetime, cents: int, partner: str = "elisa",
                 refund_of: str | None = None) -> dict:
    purchase = PartnerPurchase(purchase_id=uuid.uuid4().hex, partner_id=partner, member_number=number,
                               purchased_at=at, currency="EUR", total_cents=cents, refund_of=refund_of)
    async with pool.acquire() as conn, conn.transaction():
        await record_partner_purchases(conn, [incoming(purchase)], config)
    published = await accepted_for(pool, f"partner:{partner}:{purchase.purchase_id}")
    return published[0] if published else {"purchase_id": purchase.purchase_id}


def reasons(published: dict) -> list[str]:
    return [e["reason"] for e in published["excluded"]]


async def test_a_registered_customers_purchase_is_credited_and_an_unregistered_ones_kept_with_the_reason(
        settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    async with pool.acquire() as conn:
        before = {g.labels["partner"]: g.value for g in await partner_gauges(conn)}
    registered, registered_number = await customer(pool, config)
    other, other_number = await customer(pool, config)
    await states(pool, person_state(registered, 1, ("elisa", T0, None)), person_state(other, 1))

    credited = await bought(pool, config, registered_number, T0 + timedelta(days=2), 3990)
    with_another_partner = await bought(pool, config, registered_number, T0 + timedelta(days=2), 1500,
                                        partner="lahitapiola")
    unregistered = await bought(pool, config, other_number, T0 + timedelta(days=2), 2500)

    assert credited["bonus_eligible_cents"] == 3990 and "partner_not_registered" not in reasons(credited)
    for kept in (with_another_partner, unregistered):
        assert kept["bonus_eligible_cents"] == 0
        assert {"line_no": None, "reason": "partner_not_registered", "cents": kept["total_cents"]} in kept["excluded"]
    assert unregistered["household_id"] == f"h-{other}"  # accepted and published: never dropped
    stored = await pool.fetchrow("SELECT status, bonus_eligible_cents FROM receipts WHERE receipt_id = $1",
                                 f"partner:elisa:{unregistered['receipt_id'].split(':')[-1]}")
    assert tuple(stored) == ("accepted", 0)
    async with pool.acquire() as conn:  # operators see them counted per partner
        after = {g.labels["partner"]: g.value for g in await partner_gauges(conn)}
    assert after["elisa"] == before.get("elisa", 0) + 1
    assert after["lahitapiola"] == before.get("lahitapiola", 0) + 1


async def test_a_registration_ended_before_the_purchase_credits_nothing_and_a_refund_follows_its_purchase(
        settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    person_id, number = await customer(pool, config)
    ended = T0 + timedelta(days=10)
    await states(pool, person_state(person_id, 1, ("elisa", T0, None)),
                 person_state(person_id, 2, ("elisa", T0, ended)))  # the later state wins

    before = await bought(pool, config, number, ended - timedelta(hours=1), 4000)
    after = await bought(pool, config, number, ended + timedelta(hours=1), 5000)
    refund = await bought(pool, config, number, ended + timedelta(days=1), -4000,
                          refund_of=before["receipt_id"].split(":")[-1])

    assert before["bonus_eligible_cents"] == 4000
    assert after["bonus_eligible_cents"] == 0 and "partner_not_registered" in reasons(after)
    # the refund takes back what its purchase earned, under the registration of the purchase's time
    assert refund["bonus_eligible_cents"] == -4000 and "partner_not_registered" not in reasons(refund)


async def test_a_purchase_waiting_for_its_member_number_is_checked_when_it_resolves(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    person_id, number = f"p-{uuid.uuid4().hex[:8]}", str(uuid.uuid4().int % 10**12).zfill(12)
    await states(pool, person_state(person_id, 1, ("elisa", T0 + timedelta(days=5), None)))
    early = await bought(pool, config, number, T0 + timedelta(days=1), 1200)
    late = await bought(pool, config, number, T0 + timedelta(days=6), 3400)
    assert "receipt_id" not in early and "receipt_id" not in late  # unresolved: nothing published yet

    await card_changes(pool, CardState(
        card_token=keyed_token("member", number, config.index_key), last_four=number[-4:], card_type="cash_card",
        status="active", history=[AllocationPeriod(person_id=person_id, household_id="h-late", cooperative_id="kpo",
                                                   valid_from=T0)]))
    [early_published] = await accepted_for(pool, f"partner:elisa:{early['purchase_id']}")
    [late_published] = await accepted_for(pool, f"partner:elisa:{late['purchase_id']}")
    assert early_published["bonus_eligible_cents"] == 0 and "partner_not_registered" in reasons(early_published)
    assert late_published["bonus_eligible_cents"] == 3400


async def test_an_erasure_or_a_tombstone_removes_the_persons_registrations(settings, pools):
    pool = pools["purchases"]
    erased, tombstoned = f"p-{uuid.uuid4().hex[:8]}", f"p-{uuid.uuid4().hex[:8]}"
    await states(pool, person_state(erased, 1, ("elisa", T0, None)), person_state(tombstoned, 1, ("elisa", T0, None)))
    count = "SELECT count(*) FROM partner_registrations WHERE person_id = $1"
    assert await pool.fetchval(count, erased) == 1

    async with pool.acquire() as conn, conn.transaction():
        await erase_person(conn, erased)
    assert await pool.fetchval(count, erased) == 0
    assert await pool.fetchval(count, tombstoned) == 1
    async with pool.acquire() as conn, conn.transaction():
        await keep_person_states(conn, [tombstone(tombstoned)])
    assert await pool.fetchval(count, tombstoned) == 0
