"""Saved carts, identified usage and customer-entered data, each written by its source over Kafka to the digital
service running as its own process: in the person's extract through the register API (the entered value only
sealed at rest), expired by a retention run, and gone after an erasure through the API."""
from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from contracts.events.digital import CustomerEnteredData, DigitalServiceUsage, SavedCart
from contracts.topics import DIGITAL_ENTERED_DATA, DIGITAL_SERVICE_USAGE, MEMBERSHIP_COMMANDS, WEBSTORE_SAVED_CARTS
from services.register_api.entrypoints.app import create_app
from tests.support.people import register, unique
from tests.support.register_api import NOW, bearer
from tests.support.retention import finished_run, request_retention_run
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
DPO = "data_protection_officer"
NOTE = "Jätä kassit takaovelle, koira haukkuu"
RECENT, OLD = NOW - timedelta(days=30), NOW - timedelta(days=760)  # OLD: past every period (12 and 24 months)


def _cart(person: str, store: str, at) -> SavedCart:
    return SavedCart(update_id=unique("cart"), person_id=person, store=store, currency="EUR", saved_at=at,
                     items=[{"product_id": "6408430000210", "name": "Kaurahiutaleet 1 kg", "quantity": 2,
                             "unit_price_cents": 189}])


def _use(person: str, at) -> DigitalServiceUsage:
    return DigitalServiceUsage(event_id=unique("use"), person_id=person, service="s-kaupat", company="sok",
                               company_kind="s_group", channel="web", identified_with="card", kind="login", at=at)


def _entered(person: str, field: str, at) -> CustomerEnteredData:
    return CustomerEnteredData(entry_id=unique("e"), person_id=person, service="s-kaupat", company="sok",
                               field=field, value=NOTE, entered_at=at)


async def _count(db, table: str, person: str) -> int:
    return await db.fetchval(f"SELECT count(*) FROM digital.{table} WHERE person_id = $1", person)


async def test_carts_usage_and_entered_data_reach_the_extract_expire_and_go_with_the_erasure(settings, client, db):
    customer = register(registered_at=NOW - timedelta(days=1))
    person = customer.person_id
    await client.send(MEMBERSHIP_COMMANDS, person, customer)
    for topic, event in ((WEBSTORE_SAVED_CARTS, _cart(person, "s-kaupat", RECENT)),
                         (WEBSTORE_SAVED_CARTS, _cart(person, "prisma-fi", OLD)),
                         (DIGITAL_SERVICE_USAGE, _use(person, RECENT)), (DIGITAL_SERVICE_USAGE, _use(person, OLD)),
                         (DIGITAL_ENTERED_DATA, _entered(person, "picker_note", RECENT)),
                         (DIGITAL_ENTERED_DATA, _entered(person, "diet", OLD))):
        await client.send(topic, person, event)
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT count(*) FROM membership.persons WHERE person_id = $1", person))
    for table in ("saved_carts", "digital_usage", "entered_data"):
        await eventually(lambda table=table: db.fetchval(
            f"SELECT count(*) = 2 FROM digital.{table} WHERE person_id = $1", person))
    assert "takaovelle" not in await db.fetchval("SELECT string_agg(t::text, ' ') FROM digital.entered_data t")
    mine = bearer(settings, "data_subject", person_id=person)
    dpo = bearer(settings, DPO)
    # no scheduled run at the app's start: the test's own run is the one that expires the old rows
    quiet = settings.model_copy(update={"api": settings.api.model_copy(update={"retention_every_hours": 0})})
    with TestClient(create_app(quiet), raise_server_exceptions=False) as api:
        request = api.post(f"/persons/{person}/extract-requests", headers=mine)
        assert request.status_code == 201, request.text
        document = api.get(f"/extract-requests/{request.json()['extract_request']['request_id']}/document",
                           headers=mine).json()
        assert sorted(c["store"] for c in document["saved_carts"]) == ["prisma-fi", "s-kaupat"]
        assert [u["identified_with"] for u in document["digital_usage"]] == ["card", "card"]
        assert {(e["field"], e["value"]) for e in document["entered_data"]} == {("picker_note", NOTE), ("diet", NOTE)}

        await finished_run(api, settings, request_retention_run(api, settings))
        assert [r["store"] for r in await db.fetch("SELECT store FROM digital.saved_carts WHERE person_id = $1",
                                                    person)] == ["s-kaupat"]
        assert [r["used_at"] for r in await db.fetch("SELECT used_at FROM digital.digital_usage WHERE person_id = $1",
                                                      person)] == [RECENT]
        assert [r["field"] for r in await db.fetch("SELECT field FROM digital.entered_data WHERE person_id = $1",
                                                    person)] == ["picker_note"]

        erasure = api.post(f"/persons/{person}/erasure", headers=dpo)
        assert erasure.status_code == 202, erasure.text
        path = f"/erasures/{erasure.json()['erasure']['request_id']}"

        async def completed():
            status = api.get(path, headers=dpo).json()["erasure"]
            return status["status"] == "completed" and status
        done = await eventually(completed, timeout=90)
        rows = done["services"]["digital"]["rows"]
        assert (rows["saved_carts"], rows["digital_usage"], rows["entered_data"]) == (1, 1, 1)
    for table in ("saved_carts", "digital_usage", "entered_data"):
        assert not await _count(db, table, person), table
    # the person's key is destroyed: the sealed value could not be opened even from a backup
    assert await db.fetchval("SELECT wrapped_key IS NULL FROM subject_keys.keys WHERE subject = $1", person)
