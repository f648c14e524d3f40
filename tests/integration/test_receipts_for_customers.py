"""What the register keeps of a purchase for the customer, on the real PostgreSQL: how the card was used and
the payment methods, staff discounts checked against the right, e-receipts and warranty receipts."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from contracts.events.consent import ConsentState, Permissions
from contracts.events.membership_states import PersonState
from contracts.events.pos import Identifier, Payment, PosPurchase
from contracts.subjects import StaffDiscountsRequest
from coopreg.simulate.receipts import line, pos_purchase
from services.membership.application.config import MembershipConfig
from services.purchases.application.apply_person_state import keep_person_states
from services.purchases.application.config import PurchasesConfig
from services.purchases.application.keep_product_data_consents import when_consent_changes_keep_product_data_rules
from services.purchases.application.read_person import customer_receipts_part, purchases_part
from services.purchases.application.retention import erase_expired, erase_person
from services.purchases.domain.warranty import WarrantyPeriods
from services.purchases.entrypoints.subjects import answers
from tests.integration.test_receipts import T0, card_changes, card_state, fresh_number, record
from tests.support.consent import tombstone
from tests.support.factories import incoming
from tests.support.membership_db import run
from tests.support.people import register
from tests.support.privacy import hand_on
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture
from tests.support.retention import handed_on_retention_run

DPO = "data_protection_officer"
client = client_fixture()
own = own_fixture()


def config_of(settings) -> PurchasesConfig:
    return PurchasesConfig(settings.secrets.index_key.get_secret_value())


def paid_two_ways(number: str, at, entry: str = "contactless") -> PosPurchase:
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, at, [("grocery", 3000), ("general", 2500)])
    return receipt.model_copy(update={
        "identifier": Identifier(kind="card", value=number, entry=entry),
        "payments": [Payment(method="s_etukortti_debit", amount_cents=5000), Payment(method="cash", amount_cents=500)]})


async def test_how_the_card_was_used_and_the_payment_methods_are_kept_and_read_in_the_part(settings, pools):
    pool, config = pools["purchases"], config_of(settings)
    number, person = fresh_number(), f"p-{uuid.uuid4().hex[:8]}"
    await card_changes(pool, card_state(config, number, (person, f"h-{person}", T0, None)))
    receipt = paid_two_ways(number, T0 + timedelta(days=2))
    await record(pool, config, receipt)
    async with pool.acquire() as conn:
        [kept] = await purchases_part(conn, person)
    assert kept["receipt_id"] == receipt.receipt_id and kept["card_entry"] == "contactless"
    assert kept["payments"] == [{"method": "s_etukortti_debit", "amount_cents": 5000},
                                {"method": "cash", "amount_cents": 500}]


def staff_state(person_id: str, version: int, right: bool) -> PersonState:
    return PersonState(person_id=person_id, version=version, customer_kind="owner_customer", language="fi",
                       deceased=False, marketing_prohibition=False, sbank_customer=False, staff_discount=right)


async def person_states(pool, *messages) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await keep_person_states(conn, list(messages))


def discounted(number: str, at, cents: int) -> PosPurchase:
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, at, [("general", 4000)])
    return receipt.model_copy(update={"staff_discount_cents": cents})


async def listed(settings, pool, flagged_only: bool) -> dict:
    async with pool.acquire() as conn:
        answer = await answers(settings)["staff_discounts"](conn, StaffDiscountsRequest(flagged_only=flagged_only,
                                                                                         limit=10_000))
    return {d.receipt_id: (d.staff_discount_cents, d.flagged) for d in answer.discounts}


async def test_a_staff_discount_without_the_right_is_flagged_and_listed_for_staff(settings, pools):
    pool, config = pools["purchases"], config_of(settings)
    staff, customer = f"p-{uuid.uuid4().hex[:8]}", f"p-{uuid.uuid4().hex[:8]}"
    staff_card, customer_card = fresh_number(), fresh_number()
    await card_changes(pool, card_state(config, staff_card, (staff, f"h-{staff}", T0, None)))
    await card_changes(pool, card_state(config, customer_card, (customer, f"h-{customer}", T0, None)))
    # HR's right as membership publishes it; an older state arriving late changes nothing
    await person_states(pool, incoming(staff_state(staff, 2, True)), incoming(staff_state(staff, 1, False)),
                        incoming(staff_state(customer, 1, False)))
    rightful, unrightful = discounted(staff_card, T0 + timedelta(days=1), 400), discounted(
        customer_card, T0 + timedelta(days=1), 600)
    plain = pos_purchase(f"r-{uuid.uuid4().hex}", customer_card, T0 + timedelta(days=1), [("grocery", 900)])
    await record(pool, config, rightful, unrightful, plain)
    flagged = await listed(settings, pool, flagged_only=True)
    assert flagged.get(unrightful.receipt_id) == (600, True)
    assert rightful.receipt_id not in flagged and plain.receipt_id not in flagged
    every = await listed(settings, pool, flagged_only=False)
    assert every.get(rightful.receipt_id) == (400, False) and plain.receipt_id not in every
    async with pool.acquire() as conn:  # the customer reads both in their part, the flag with the discount
        part = {r["receipt_id"]: r for r in await purchases_part(conn, customer)}
    assert [(part[r.receipt_id]["staff_discount_cents"], part[r.receipt_id]["staff_discount_flagged"])
            for r in (unrightful, plain)] == [(600, True), (None, None)]


async def test_an_erased_persons_right_goes_with_them(settings, pools):
    pool = pools["purchases"]
    person = f"p-{uuid.uuid4().hex[:8]}"
    await person_states(pool, incoming(staff_state(person, 1, True)))
    async with pool.acquire() as conn, conn.transaction():
        await erase_person(conn, person)
    assert not await pool.fetchval("SELECT count(*) FROM staff_discount_rights WHERE person_id = $1", person)
    await person_states(pool, incoming(staff_state(person, 1, True)), tombstone(person))
    assert not await pool.fetchval("SELECT count(*) FROM staff_discount_rights WHERE person_id = $1", person)


async def consent(pool, person: str, household: str, version: int, *, e_receipts=False, warranty_blocked=False,
                  collection=False, services=False) -> None:
    state = ConsentState(person_id=person, version=version, household_id=household,
                         blocks=["warranty_receipts"] if warranty_blocked else [],
                         permissions=Permissions(email=False, sms=False), marketing_prohibited=False,
                         product_data_collection_blocked=collection, product_data_targeting_blocked=False,
                         product_data_services_blocked=services, choices=["e_receipts"] if e_receipts else [])
    async with pool.acquire() as conn, conn.transaction():
        await when_consent_changes_keep_product_data_rules(conn, [incoming(state)])


def with_a_television(number: str, at) -> PosPurchase:
    """A grocery line and a 499 € television: product group home-electronics, 24 months' warranty."""
    lines = [line(1, "grocery", 1250), line(2, "general", 49900, group="home-electronics")]
    return PosPurchase.model_validate({**pos_purchase(f"r-{uuid.uuid4().hex}", number, at, [("grocery", 1250)])
                                       .model_dump(exclude={"lines", "payments", "total_cents"}),
                                       "lines": lines, "total_cents": 51150,
                                       "payments": [Payment(method="s_etukortti_credit", amount_cents=51150)]})


async def customer(pool, config, **choices) -> tuple[str, str, str]:
    """(person, household, card number): the card theirs from T0, their consent state as given."""
    person, number = f"p-{uuid.uuid4().hex[:8]}", fresh_number()
    household = f"h-{person}"
    await card_changes(pool, card_state(config, number, (person, household, T0, None)))
    await consent(pool, person, household, 1, **choices)
    return person, household, number


async def issued(pool, person: str) -> dict:
    async with pool.acquire() as conn:
        return await customer_receipts_part(conn, person)


def test_the_warranty_of_a_receipt_is_its_longest_lines_and_none_for_small_goods_or_groceries():
    periods = WarrantyPeriods(default_months=24, warranty_categories=frozenset({"general"}), min_line_cents=2000,
                              product_groups={"tools": 36, "clothing": 0})
    from services.purchases.domain.warranty import warranty_months
    assert warranty_months([line(1, "general", 49900, group="tools"), line(2, "general", 5000)], periods) == 36
    assert warranty_months([line(1, "general", 1990), line(2, "grocery", 9000)], periods) is None
    assert warranty_months([line(1, "general", 9000, group="clothing")], periods) is None
    assert warranty_months([line(1, "general", -49900, group="tools")], periods) is None  # a return


async def test_an_e_receipt_for_who_chose_them_and_a_warranty_receipt_for_goods_under_warranty(settings, pools):
    pool, config = pools["purchases"], config_of(settings)
    chose, household, card = await customer(pool, config, e_receipts=True)
    other, _, other_card = await customer(pool, config)
    tv, milk = with_a_television(card, T0 + timedelta(days=3)), pos_purchase(
        f"r-{uuid.uuid4().hex}", card, T0 + timedelta(days=4), [("grocery", 300)])
    their_tv, their_milk = with_a_television(other_card, T0 + timedelta(days=3)), pos_purchase(
        f"r-{uuid.uuid4().hex}", other_card, T0 + timedelta(days=4), [("grocery", 300)])
    await record(pool, config, tv, milk, their_tv, their_milk)
    mine = await issued(pool, chose)
    assert [r["receipt_id"] for r in mine["e_receipts"]] == [tv.receipt_id, milk.receipt_id]
    [warranty] = mine["warranty_receipts"]
    assert warranty["receipt_id"] == tv.receipt_id and warranty["warranty_until"] == tv.purchased_at.replace(
        year=tv.purchased_at.year + 2)
    assert [line["product_group"] for line in warranty["lines"]] == ["grocery", "home-electronics"]
    assert warranty["payments"] == [{"method": "s_etukortti_credit", "amount_cents": 51150}]
    theirs = await issued(pool, other)  # no e-receipts chosen; the warranty receipt all the same
    assert theirs["e_receipts"] == [] and [r["receipt_id"] for r in theirs["warranty_receipts"]] == [
        their_tv.receipt_id]


async def test_a_receipt_resolved_late_is_issued_when_it_resolves(settings, pools):
    pool, config = pools["purchases"], config_of(settings)
    person, number = f"p-{uuid.uuid4().hex[:8]}", fresh_number()
    await consent(pool, person, f"h-{person}", 1, e_receipts=True)
    tv = with_a_television(number, T0 + timedelta(days=3))
    await record(pool, config, tv)
    assert (await issued(pool, person))["e_receipts"] == []
    await card_changes(pool, card_state(config, number, (person, f"h-{person}", T0, None)))
    mine = await issued(pool, person)
    assert [r["receipt_id"] for r in mine["e_receipts"]] == [tv.receipt_id] == [
        r["receipt_id"] for r in mine["warranty_receipts"]]


async def test_the_warranty_receipts_block_is_honoured_before_and_after_the_purchase(settings, pools):
    pool, config = pools["purchases"], config_of(settings)
    blocked, _, card = await customer(pool, config, e_receipts=True, warranty_blocked=True)
    await record(pool, config, with_a_television(card, T0 + timedelta(days=3)))
    mine = await issued(pool, blocked)
    assert len(mine["e_receipts"]) == 1 and mine["warranty_receipts"] == []
    later, household, later_card = await customer(pool, config)
    await record(pool, config, with_a_television(later_card, T0 + timedelta(days=3)))
    assert len((await issued(pool, later))["warranty_receipts"]) == 1
    await consent(pool, later, household, 2, warranty_blocked=True)
    assert await issued(pool, later) == {"e_receipts": [], "warranty_receipts": []}
    assert not await pool.fetchval("SELECT count(*) FROM customer_receipts WHERE person_id = $1", later)


async def test_under_a_product_data_block_no_line_is_kept_and_no_warranty_receipt_issued(settings, pools):
    pool, config = pools["purchases"], config_of(settings)
    serviced, household, card = await customer(pool, config, e_receipts=True, services=True)
    tv = with_a_television(card, T0 + timedelta(days=3))
    await record(pool, config, tv)
    mine = await issued(pool, serviced)
    assert [(r["receipt_id"], r["lines"], r["total_cents"]) for r in mine["e_receipts"]] == [(tv.receipt_id, [], 51150)]
    assert mine["warranty_receipts"] == []
    # a household member forbids collecting product-level data after the purchase: the detail held goes
    person, household, card = await customer(pool, config, e_receipts=True)
    await record(pool, config, with_a_television(card, T0 + timedelta(days=3)))
    assert len((await issued(pool, person))["warranty_receipts"]) == 1
    await consent(pool, f"other-{person}", household, 1, collection=True)
    mine = await issued(pool, person)
    assert [r["lines"] for r in mine["e_receipts"]] == [[]] and mine["warranty_receipts"] == []


async def test_retention_ends_each_on_its_own_clock_and_erasure_takes_them_all(settings, pools):
    pool, config = pools["purchases"], config_of(settings)
    person, _, card = await customer(pool, config, e_receipts=True)
    bought = datetime(2036, 3, 10, tzinfo=timezone.utc)
    await card_changes(pool, card_state(config, card, (person, f"h-{person}", T0, None)))
    tv, milk = with_a_television(card, bought), pos_purchase(f"r-{uuid.uuid4().hex}", card, bought, [("grocery", 300)])
    await record(pool, config, tv, milk)
    async with pool.acquire() as conn, conn.transaction():  # e-receipts before the cut-off end; the warranty runs
        erased = await erase_expired(conn, {"e_receipts": bought + timedelta(days=1),
                                            "warranty_receipts": bought + timedelta(days=1)})
    assert erased["e_receipts"] >= 2 and erased["warranty_receipts"] >= 0
    mine = await issued(pool, person)
    assert mine["e_receipts"] == [] and [r["receipt_id"] for r in mine["warranty_receipts"]] == [tv.receipt_id]
    async with pool.acquire() as conn, conn.transaction():  # the warranty has ended two years on
        erased = await erase_expired(conn, {"warranty_receipts": bought.replace(year=2038) + timedelta(days=1)})
    assert erased["warranty_receipts"] >= 1 and await issued(pool, person) == {"e_receipts": [],
                                                                               "warranty_receipts": []}
    again, _, card = await customer(pool, config, e_receipts=True)
    await record(pool, config, with_a_television(card, bought))
    async with pool.acquire() as conn, conn.transaction():
        report = await erase_person(conn, again)
    assert report["customer_receipts"] == 1
    assert not await pool.fetchval("SELECT count(*) FROM customer_receipts WHERE person_id = $1", again)


def bought_tools(number: str, at) -> PosPurchase:
    """A 249 € drill: product group tools, 36 months' warranty."""
    lines = [line(1, "general", 24900, group="tools")]
    return PosPurchase.model_validate({**pos_purchase(f"r-{uuid.uuid4().hex}", number, at, [("general", 24900)])
                                       .model_dump(exclude={"lines"}), "lines": lines})


async def test_through_the_api_retention_ends_the_e_receipt_and_erasure_the_warranty_receipt(
        client, settings, pools, own):
    """A purchase 25 months old: the purchase and its e-receipt are past their two years, the drill's
    warranty receipt runs another 11 months; the person's erasure takes it."""
    pool, config = pools["purchases"], config_of(settings)
    registered = register(registered_at=NOW - timedelta(days=1))  # recent: the retention run keeps the person
    await run(pools["membership"], MembershipConfig.from_settings(settings), registered)
    person, number = registered.person_id, fresh_number()
    await card_changes(pool, card_state(config, number, (person, f"h-{person}", NOW - timedelta(days=900), None)))
    await consent(pool, person, f"h-{person}", 1, e_receipts=True)
    drill = bought_tools(number, NOW - timedelta(days=760))
    await record(pool, config, drill)
    await handed_on_retention_run(client, settings, own, pools)
    mine = bearer(settings, "data_subject", person_id=person)
    requested = client.post(f"/persons/{person}/extract-requests", headers=mine)
    assert requested.status_code == 201, requested.text
    request = requested.json()["extract_request"]
    extract = client.get(f"/extract-requests/{request['request_id']}/document", headers=mine).json()
    assert extract["purchases"] == [] and extract["e_receipts"] == []
    assert [(r["receipt_id"], r["lines"][0]["product_group"]) for r in extract["warranty_receipts"]] == [
        (drill.receipt_id, "tools")]
    # customer service sees them too; the marketing analyst neither
    staff = client.get(f"/persons/{person}", params={"sections": ["warranty_receipts"]},
                       headers=bearer(settings, "customer_service")).json()
    assert [r["receipt_id"] for r in staff["warranty_receipts"]] == [drill.receipt_id]
    analyst = client.get(f"/persons/{person}", headers=bearer(settings, "marketing_analyst")).json()
    assert "warranty_receipts" not in analyst and "e_receipts" not in analyst

    requested = client.post(f"/persons/{person}/erasure", headers=bearer(settings, DPO))
    assert requested.status_code == 202, requested.text
    await hand_on(settings, own, pools)
    erasure = client.get(f"/erasures/{requested.json()['erasure']['request_id']}", headers=bearer(settings, DPO))
    assert erasure.json()["erasure"]["status"] == "completed", erasure.text
    assert erasure.json()["erasure"]["services"]["purchases"]["rows"]["customer_receipts"] == 1
    assert not await pool.fetchval("SELECT count(*) FROM customer_receipts WHERE person_id = $1", person)
