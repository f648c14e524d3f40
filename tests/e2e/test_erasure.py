"""Erasure as a durable request across the services in their own processes: the API shows each service's
status until every one has reported, a service that is down erases its part when it is back, and only then is
the person's key destroyed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from contracts.topics import MEMBERSHIP_COMMANDS
from services.register_api.entrypoints.app import create_app
from tests.support.people import register
from tests.support.register_api import NOW, bearer
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
DPO = "data_protection_officer"


async def test_a_service_down_during_an_erasure_completes_it_when_it_is_back(settings, client, db, services):
    customer = register(registered_at=NOW - timedelta(days=1))
    await client.send(MEMBERSHIP_COMMANDS, customer.person_id, customer)
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT count(*) FROM membership.persons WHERE person_id = $1",
                                         customer.person_id))
    cards = services["cards"]
    cards.stop()
    try:
        with TestClient(create_app(settings), raise_server_exceptions=False) as api:
            requested = api.post(f"/persons/{customer.person_id}/erasure", headers=bearer(settings, DPO))
            assert requested.status_code == 202, requested.text
            path = f"/erasures/{requested.json()['erasure']['request_id']}"

            async def others_done():
                services_status = api.get(path, headers=bearer(settings, DPO)).json()["erasure"]["services"]
                return all(s["status"] == "done" for name, s in services_status.items() if name != "cards") and \
                    services_status

            status = await eventually(others_done, timeout=60)
            assert status["cards"] == {"status": "pending"}
            assert api.get(path, headers=bearer(settings, DPO)).json()["erasure"]["status"] == "in_progress"
            # the key lives on while a service has not erased its part
            assert await db.fetchval("SELECT wrapped_key IS NOT NULL FROM subject_keys.keys WHERE subject = $1",
                                     customer.person_id) in (True, None)
            assert not await db.fetchval("SELECT count(*) FROM register_api.erasures WHERE person_id = $1",
                                         customer.person_id)
            cards.start().wait_ready()

            async def completed():
                erasure = api.get(path, headers=bearer(settings, DPO)).json()["erasure"]
                return erasure["status"] == "completed" and erasure
            erasure = await eventually(completed, timeout=90)
            assert erasure["services"]["cards"]["status"] == "done"
            # the request sent again (say its answer was lost): the services no longer know the person, and
            # the answer is the erasure as it stands, not "no such person"
            again = api.post(f"/persons/{customer.person_id}/erasure", headers=bearer(settings, DPO))
            assert again.status_code == 202, again.text
            assert again.json()["erasure"] == erasure
    finally:
        if cards.proc.poll() is not None:
            cards.start().wait_ready()
    assert await db.fetchval("SELECT count(*) FROM register_api.erasures WHERE person_id = $1", customer.person_id)
    assert await db.fetchval("SELECT wrapped_key IS NULL FROM subject_keys.keys WHERE subject = $1",
                             customer.person_id) in (True, None)


async def test_an_erasure_request_for_nobody_is_refused(settings):
    with TestClient(create_app(settings, background=False), raise_server_exceptions=False) as api:
        refused = api.post("/persons/p-nobody-at-all/erasure", headers=bearer(settings, DPO))
        assert (refused.status_code, refused.json()["error"]) == (404, "not_found")
        assert api.get("/erasures/e-00000000-0000-0000-0000-000000000000",
                       headers=bearer(settings, DPO)).status_code == 404
