"""Saved carts, identified usage of digital services and the data customers enter in them, in the digital
service on the real PostgreSQL: the handlers (the latest state wins, repeats change nothing, entered values
sealed under the person's own key), their part of the extract read through the register API and audited, and
their part of the retention run and of an erasure handed on as Kafka would (tests/support/privacy.py)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.events.digital import CustomerEnteredData, DigitalServiceUsage, SavedCart
from services.digital.application.config import DigitalConfig
from services.digital.application.inbound import apply_entered_data, apply_saved_carts, apply_usage
from services.digital.domain.errors import DigitalRuleViolation
from services.membership.application.config import MembershipConfig
from shared.subject_keys import SubjectErased
from tests.support.consent import unique
from tests.support.factories import incoming
from tests.support.membership_db import run
from tests.support.people import register
from tests.support.privacy import hand_on
from tests.support.register_api import NOW, bearer, client_fixture, own_fixture, schema_text
from tests.support.retention import handed_on_retention_run

DPO = "data_protection_officer"
NOTE = "Ei sipulia, kiitos; ovikoodi 4471"

client = client_fixture()
own = own_fixture()


async def _apply(pools, handler, *payloads, **kwargs) -> int:
    async with pools["digital"].acquire() as conn, conn.transaction():
        return await handler(conn, [incoming(p) for p in payloads], **kwargs)


def _cart(person_id: str, at, *items: tuple[str, int], store: str = "s-kaupat") -> SavedCart:
    return SavedCart(update_id=unique("cart"), person_id=person_id, store=store, currency="EUR", saved_at=at,
                     items=[{"product_id": product, "name": f"Tuote {product}", "quantity": quantity,
                             "unit_price_cents": 189} for product, quantity in items])


def _use(person_id: str, at, service: str = "s-kaupat") -> DigitalServiceUsage:
    return DigitalServiceUsage(event_id=unique("use"), person_id=person_id, service=service, company="sok",
                               company_kind="s_group", channel="mobile_app", identified_with="s_code",
                               kind="login", at=at)


def _entered(person_id: str, at, value: str | None = NOTE, field: str = "picker_note") -> CustomerEnteredData:
    return CustomerEnteredData(entry_id=unique("e"), person_id=person_id, service="s-kaupat", company="sok",
                               field=field, value=value, entered_at=at)


async def _customer(pools, settings) -> str:
    customer = register(registered_at=NOW - timedelta(days=1))
    await run(pools["membership"], MembershipConfig.from_settings(settings), customer)
    return customer.person_id


async def test_a_saved_cart_keeps_its_latest_state_per_store_and_an_emptied_one_stays_empty(pools):
    person, day = unique("p"), NOW - timedelta(days=3)
    assert await _apply(pools, apply_saved_carts, _cart(person, day, ("6408430000210", 2)),
                        _cart(person, day, ("6408430000210", 1), store="prisma-fi")) == 0
    assert await _apply(pools, apply_saved_carts, _cart(person, day + timedelta(hours=1), ("2000410100005", 850))) == 0
    # an older state arriving late, and the same moment again, change nothing
    assert await _apply(pools, apply_saved_carts, _cart(person, day - timedelta(hours=1), ("1", 9)),
                        _cart(person, day + timedelta(hours=1), ("1", 9))) == 2
    await _apply(pools, apply_saved_carts, _cart(person, day + timedelta(hours=2), store="prisma-fi"))  # emptied
    assert await _apply(pools, apply_saved_carts, _cart(person, day + timedelta(hours=1), ("3", 1),
                                                        store="prisma-fi")) == 1
    rows = await pools["digital"].fetch("SELECT store, items FROM saved_carts WHERE person_id = $1 ORDER BY store",
                                        person)
    assert [(r["store"], r["items"]) for r in rows] == [
        ("prisma-fi", "[]"),
        ("s-kaupat", '[{"name": "Tuote 2000410100005", "unit": "piece", "quantity": 850, "product_id": '
                     '"2000410100005", "unit_price_cents": 189}]')]


async def test_each_use_is_kept_once(pools):
    person = unique("p")
    use = _use(person, NOW - timedelta(hours=1))
    assert await _apply(pools, apply_usage, use, use, _use(person, NOW, service="yhteishyva")) == 1
    rows = await pools["digital"].fetch("SELECT service, identified_with, kind FROM digital_usage WHERE person_id = $1"
                                        " ORDER BY used_at", person)
    assert [tuple(r) for r in rows] == [("s-kaupat", "s_code", "login"), ("yhteishyva", "s_code", "login")]


async def test_an_entered_value_is_sealed_under_the_persons_key_and_the_latest_wins(pools, settings):
    person, config = unique("p"), DigitalConfig.from_settings(settings)
    day = NOW - timedelta(days=2)
    await _apply(pools, apply_entered_data, _entered(person, day, "Vanha toive"), config=config)
    await _apply(pools, apply_entered_data, _entered(person, day + timedelta(hours=1)), config=config)
    assert await _apply(pools, apply_entered_data, _entered(person, day, "Myöhässä"), config=config) == 1
    assert "sipulia" not in await schema_text(pools["digital"], "digital")
    sealed = await pools["digital"].fetchval("SELECT value_sealed FROM entered_data WHERE person_id = $1", person)
    async with pools["digital"].acquire() as conn:
        key = (await config.keys(conn, person))[person]
    assert config.open_entered(key, person, "s-kaupat", "picker_note", sealed) == NOTE
    with pytest.raises(DigitalRuleViolation):  # moved to another field, it is refused
        config.open_entered(key, person, "s-kaupat", "diet", sealed)
    with pytest.raises(SubjectErased):  # and it opens under nobody else's key
        config.open_entered(key, unique("p"), "s-kaupat", "picker_note", sealed)
    # a removal keeps the row, without a value, so the older value cannot come back
    await _apply(pools, apply_entered_data, _entered(person, day + timedelta(hours=2), None), config=config)
    assert await _apply(pools, apply_entered_data, _entered(person, day + timedelta(hours=1)), config=config) == 1
    assert await pools["digital"].fetchval("SELECT value_sealed FROM entered_data WHERE person_id = $1",
                                           person) is None


async def test_carts_usage_and_entered_data_are_in_the_extract_and_the_audited_reads(client, settings, pools, own):
    person, config = await _customer(pools, settings), DigitalConfig.from_settings(settings)
    await _apply(pools, apply_saved_carts, _cart(person, NOW - timedelta(hours=3), ("6408430000210", 2)))
    await _apply(pools, apply_usage, _use(person, NOW - timedelta(hours=2)))
    await _apply(pools, apply_entered_data, _entered(person, NOW - timedelta(hours=1)), config=config)
    mine = bearer(settings, "data_subject", person_id=person)
    request = client.post(f"/persons/{person}/extract-requests", headers=mine).json()["extract_request"]
    extract = client.get(f"/extract-requests/{request['request_id']}/document", headers=mine).json()
    assert [(i["product_id"], i["quantity"]) for c in extract["saved_carts"] for i in c["items"]] == [
        ("6408430000210", 2)]
    assert [(u["service"], u["company"], u["channel"]) for u in extract["digital_usage"]] == [
        ("s-kaupat", "sok", "mobile_app")]
    assert [(e["field"], e["value"]) for e in extract["entered_data"]] == [("picker_note", NOTE)]
    html = client.get(f"/extract-requests/{request['request_id']}/document", params={"format": "html"},
                      headers=mine).text
    assert "Saved carts in the web stores" in html and "Data you entered in digital services" in html
    # customer service reads them, audited field by field; the marketing analyst sees none of them
    sections = {"sections": ["saved_carts", "digital_usage", "entered_data"]}
    staff = client.get(f"/persons/{person}", params=sections, headers=bearer(settings, "customer_service",
                                                                             user="cs-digital2"))
    assert staff.json()["entered_data"][0]["value"] == NOTE
    fields = await own.fetchval("SELECT fields FROM audit.audit_log WHERE actor = 'cs-digital2'"
                                " AND $1 = ANY(person_ids) AND action = 'read' ORDER BY seq DESC LIMIT 1", person)
    assert {"saved_carts.items", "digital_usage.service", "entered_data.value"} <= set(fields)
    analyst = client.get(f"/persons/{person}", headers=bearer(settings, "marketing_analyst")).json()
    assert not {"saved_carts", "digital_usage", "entered_data"} & set(analyst)


async def _retention_run(client, settings, own, pools) -> dict:
    return (await handed_on_retention_run(client, settings, own, pools))["erased"]["digital"]


async def test_the_retention_run_expires_old_carts_uses_and_entered_values_only(client, settings, pools, own):
    person, config = unique("p"), DigitalConfig.from_settings(settings)
    year_ago, two_years_ago = NOW - timedelta(days=380), NOW - timedelta(days=740)
    await _apply(pools, apply_saved_carts, _cart(person, year_ago, ("1", 1), store="prisma-fi"),
                 _cart(person, NOW - timedelta(days=300), ("2", 1)))
    await _apply(pools, apply_usage, _use(person, year_ago), _use(person, NOW - timedelta(days=300)))
    await _apply(pools, apply_entered_data, _entered(person, two_years_ago, field="diet"),
                 _entered(person, year_ago), config=config)
    erased = await _retention_run(client, settings, own, pools)
    assert erased["saved_carts"] >= 1 and erased["digital_usage"] >= 1 and erased["entered_data"] >= 1
    carts = await pools["digital"].fetch("SELECT store FROM saved_carts WHERE person_id = $1", person)
    assert [r["store"] for r in carts] == ["s-kaupat"]
    uses = await pools["digital"].fetch("SELECT used_at FROM digital_usage WHERE person_id = $1", person)
    assert [r["used_at"] for r in uses] == [NOW - timedelta(days=300)]
    fields = await pools["digital"].fetch("SELECT field FROM entered_data WHERE person_id = $1", person)
    assert [r["field"] for r in fields] == ["picker_note"]  # 24 months: a year-old value stays
    again = await _retention_run(client, settings, own, pools)
    assert (again["saved_carts"], again["digital_usage"], again["entered_data"]) == (0, 0, 0)


async def test_an_erasure_takes_carts_usage_and_entered_data_and_later_ones_are_dropped(client, settings, pools, own):
    person, config = await _customer(pools, settings), DigitalConfig.from_settings(settings)
    await _apply(pools, apply_saved_carts, _cart(person, NOW, ("6408430000210", 2)))
    await _apply(pools, apply_usage, _use(person, NOW))
    await _apply(pools, apply_entered_data, _entered(person, NOW), config=config)
    requested = client.post(f"/persons/{person}/erasure", headers=bearer(settings, DPO))
    assert requested.status_code == 202, requested.text
    await hand_on(settings, own, pools)
    erasure = client.get(f"/erasures/{requested.json()['erasure']['request_id']}", headers=bearer(settings, DPO))
    assert erasure.json()["erasure"]["status"] == "completed", erasure.text
    rows = erasure.json()["erasure"]["services"]["digital"]["rows"]
    assert (rows["saved_carts"], rows["digital_usage"], rows["entered_data"]) == (1, 1, 1)
    for table in ("saved_carts", "digital_usage", "entered_data"):
        assert not await pools["digital"].fetchval(f"SELECT count(*) FROM {table} WHERE person_id = $1", person), table
    # what the services send later is dropped and counted; the key is gone, so nothing could be sealed anyway
    assert await _apply(pools, apply_entered_data, _entered(person, NOW + timedelta(minutes=1)), config=config) == 0
    assert await _apply(pools, apply_saved_carts, _cart(person, NOW + timedelta(minutes=1), ("1", 1))) == 0
    assert not await pools["digital"].fetchval("SELECT count(*) FROM entered_data WHERE person_id = $1", person)
    assert await pools["digital"].fetchval("SELECT count FROM ignored_updates WHERE source = 'digital-entered-data'"
                                           " AND reason = 'person_erased'") >= 1
    async with pools["digital"].acquire() as conn:
        with pytest.raises(SubjectErased):
            await config.seal_entered(conn, person, "s-kaupat", "picker_note", NOTE)


async def test_a_value_for_a_person_whose_key_is_gone_before_the_service_heard_is_dropped_without_a_trace(
        settings, pools, own):
    """The register API destroyed the person's key; the erasure request has not reached this service yet. What
    arrives for them now can be sealed under no key: it is dropped and counted, and it leaves no activity of
    theirs to be reported to membership."""
    person, config = await _customer(pools, settings), DigitalConfig.from_settings(settings)
    async with own.acquire() as conn:
        assert await config.subject_keys.erase(conn, person)
    assert await _apply(pools, apply_entered_data, _entered(person, NOW), config=config) == 0
    assert not await pools["digital"].fetchval("SELECT count(*) FROM entered_data WHERE person_id = $1", person)
    assert not await pools["digital"].fetchval("SELECT count(*) FROM customer_activity WHERE person_id = $1", person)
    assert not await pools["digital"].fetchval("SELECT count(*) FROM outbox WHERE key = $1", person.encode())
