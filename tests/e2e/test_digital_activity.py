"""The web stores' and digital services' use keeps a customer active, on the real stack: two customers who never
joined, registered over two years ago; one of them logs in to S-kaupat over Kafka. The digital service, in its
own process, reports the activity on `digital.customer-activity.v1`; the membership service, in its own, keeps
it — here the report comes before the registration, and waits for it; and a retention run through the
register API erases only the idle one (`inactive_customer`)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from contracts.events.digital import DigitalServiceUsage
from contracts.topics import DIGITAL_SERVICE_USAGE, MEMBERSHIP_COMMANDS
from services.register_api.entrypoints.app import create_app
from tests.support.people import register, unique
from tests.support.register_api import NOW
from tests.support.retention import finished_run, request_retention_run
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
LONG_AGO, RECENT = NOW - timedelta(days=800), NOW - timedelta(days=30)


async def test_a_customer_using_the_digital_services_is_kept_and_an_idle_one_erased(settings, client, db):
    idle, online = register(registered_at=LONG_AGO), register(registered_at=LONG_AGO)
    login = DigitalServiceUsage(event_id=unique("use"), person_id=online.person_id, service="s-kaupat",
                                company="sok", company_kind="s_group", channel="web", identified_with="s_code",
                                kind="login", at=RECENT)
    await client.send(DIGITAL_SERVICE_USAGE, online.person_id, login)
    await client.flush()
    # the report can come before the registration (another consumer): it waits for it rather than being lost
    await eventually(lambda: db.fetchval("SELECT last_active_at = $2 FROM membership.activity_waiting"
                                         " WHERE person_id = $1", online.person_id, RECENT))
    for customer in (idle, online):
        await client.send(MEMBERSHIP_COMMANDS, customer.person_id, customer)
    await client.flush()
    ids = [idle.person_id, online.person_id]
    await eventually(lambda: db.fetchval("SELECT count(*) = 2 FROM membership.persons WHERE person_id = ANY($1)",
                                         ids))
    # across Kafka from the digital service's outbox to the membership service's own table
    await eventually(lambda: db.fetchval("SELECT last_active_at = $2 FROM membership.activity_elsewhere"
                                         " WHERE person_id = $1 AND service = 'digital'", online.person_id, RECENT))
    quiet = settings.model_copy(update={"api": settings.api.model_copy(update={"retention_every_hours": 0})})
    with TestClient(create_app(quiet), raise_server_exceptions=False) as api:
        await finished_run(api, settings, request_retention_run(api, settings))
        # the idle customer's erasure is requested by the run and carried out by every service
        await eventually(lambda: db.fetchval("SELECT count(*) = 0 FROM membership.persons WHERE person_id = $1",
                                             idle.person_id), timeout=90)
    assert await db.fetchval("SELECT erased_at IS NULL FROM membership.persons WHERE person_id = $1",
                             online.person_id)
    assert await db.fetchval("SELECT count(*) FROM digital.digital_usage WHERE person_id = $1", online.person_id) == 1
