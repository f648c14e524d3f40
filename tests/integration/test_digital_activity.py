"""A customer who uses the web stores or the digital services is active: on the real PostgreSQL, the digital
service notes what the customer did themselves and reports it (`digital.customer-activity.v1`, staged in its
outbox), the membership service keeps the time it is handed as Kafka would hand it, and the `inactive_customer`
rule then leaves the customer be — without the membership service reading the digital schema. The way across
Kafka with the services as processes is the end-to-end tier's (tests/e2e/test_digital_activity.py)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import orjson

from contracts.envelope import Envelope
from contracts.events.digital import CustomerActivity, DigitalServiceUsage, WebStoreCustomerUpdate
from contracts.topics import DIGITAL_CUSTOMER_ACTIVITY
from services.digital.application import retention as digital_retention
from services.digital.application.inbound import apply_profiles, apply_usage
from services.membership.application.activity_elsewhere import keep_waiting_reports, note_digital_activity
from services.membership.application.config import MembershipConfig
from services.membership.application.retention import erase_person, relationship_ended
from services.register_api.domain.retention import load_retention_rules
from shared.delivery import Incoming
from shared.outbox import header_pairs
from tests.support.factories import incoming
from tests.support.membership_db import run
from tests.support.people import register, unique
from tests.support.register_api import NOW

EVERYONE = 1_000_000


def _use(person: str, at) -> DigitalServiceUsage:
    return DigitalServiceUsage(event_id=unique("use"), person_id=person, service="s-kaupat", company="sok",
                               company_kind="s_group", channel="mobile_app", identified_with="s_code",
                               kind="login", at=at)


def _profile(person: str, at, street: str | None, segment: str = "frequent") -> WebStoreCustomerUpdate:
    addresses = [{"address_id": "home", "address": {"street": street, "postal_code": "00100", "city": "Helsinki"}}]
    return WebStoreCustomerUpdate(update_id=unique("u"), person_id=person, store="s-kaupat", segment=segment,
                                  source_time=at, delivery_addresses=addresses if street else [])


async def _apply(pools, handler, *payloads) -> None:
    async with pools["digital"].acquire() as conn, conn.transaction():
        await handler(conn, [incoming(p) for p in payloads])


async def _reported(pools, person: str) -> list[Incoming]:
    """What the digital service staged about the person on `digital.customer-activity.v1`, as consumed."""
    rows = await pools["digital"].fetch("SELECT value, headers::text AS headers FROM outbox WHERE topic = $1"
                                        " AND key = $2 ORDER BY seq", DIGITAL_CUSTOMER_ACTIVITY.name, person.encode())
    return [Incoming.handed(CustomerActivity.model_validate(orjson.loads(r["value"])),
                            Envelope.from_headers(header_pairs(r["headers"]), DIGITAL_CUSTOMER_ACTIVITY.name,
                                                  bytes(r["value"]))) for r in rows]


async def _hand_to_membership(pools, person: str) -> None:
    async with pools["membership"].acquire() as conn, conn.transaction():
        await note_digital_activity(conn, await _reported(pools, person))


async def _due(pools, person_ids: set[str]) -> set[str]:
    async with pools["membership"].acquire() as conn:
        return set(await relationship_ended(conn, load_retention_rules().cutoffs(NOW), EVERYONE)) & person_ids


async def test_a_customer_who_never_joined_but_uses_the_digital_services_is_not_erased_as_inactive(settings, pools):
    idle, online = register(registered_at=NOW - timedelta(days=800)), register(registered_at=NOW - timedelta(days=800))
    await run(pools["membership"], MembershipConfig.from_settings(settings), idle, online)
    ids = {idle.person_id, online.person_id}
    assert await _due(pools, ids) == ids  # nothing of theirs in 24 months that the membership service knows of

    await _apply(pools, apply_usage, _use(online.person_id, NOW - timedelta(days=30)))
    [report] = await _reported(pools, online.person_id)
    assert report.data.last_active_at == NOW - timedelta(days=30)
    await _hand_to_membership(pools, online.person_id)
    assert await _due(pools, ids) == {idle.person_id}
    # the membership service keeps only the time, under its own table; the digital schema is not read
    assert await pools["membership"].fetchval("SELECT last_active_at FROM activity_elsewhere WHERE person_id = $1"
                                              " AND service = 'digital'", online.person_id) == NOW - timedelta(days=30)

    # the activity's own clock runs out too: 24 months after it, the customer is due after all
    async with pools["membership"].acquire() as conn:
        later = load_retention_rules().cutoffs(NOW + timedelta(days=740))
        assert online.person_id in await relationship_ended(conn, later, EVERYONE)
    async with pools["membership"].acquire() as conn, conn.transaction():
        await erase_person(conn, online.person_id)
    assert not await pools["membership"].fetchval("SELECT count(*) FROM activity_elsewhere WHERE person_id = $1",
                                                  online.person_id)


async def test_only_the_customers_own_doing_counts_and_it_is_reported_at_most_daily(settings, pools):
    person = unique("p")
    day = NOW - timedelta(days=10)
    # a web store recomputing the segment (here: lapsed) is not the customer's doing
    await _apply(pools, apply_profiles, _profile(person, day - timedelta(days=5), None, segment="lapsed"))
    assert await _reported(pools, person) == []
    # a delivery address the customer added is
    await _apply(pools, apply_profiles, _profile(person, day - timedelta(days=4), "Kotikatu 1"))
    await _apply(pools, apply_usage, _use(person, day), _use(person, day + timedelta(hours=1)))
    await _apply(pools, apply_usage, _use(person, day + timedelta(hours=20)))
    await _apply(pools, apply_usage, _use(person, day + timedelta(days=2)))
    # a source's clock a year ahead does not keep the customer active into the future
    await _apply(pools, apply_usage, _use(person, NOW + timedelta(days=365)))
    reported = [r.data.last_active_at for r in await _reported(pools, person)]
    assert reported[:3] == [day - timedelta(days=4), day + timedelta(hours=1), day + timedelta(days=2)]
    assert len(reported) == 4 and NOW <= reported[3] < NOW + timedelta(hours=1)
    # an older use after a later one changes nothing
    await _apply(pools, apply_usage, _use(person, day - timedelta(days=3)))
    assert len(await _reported(pools, person)) == 4


async def _waiting(pools, person: str) -> int:
    return await pools["membership"].fetchval("SELECT count(*) FROM activity_waiting WHERE person_id = $1", person)


async def test_a_report_that_comes_before_the_registration_waits_for_it(settings, pools):
    """The report and the registration come through different consumers: the report can be handled first, or
    beside the registration's transaction, which it cannot see. It is not dropped (a person is reported at most
    once a day): it waits, and the sweep keeps it once the registration is committed."""
    config = MembershipConfig.from_settings(settings)
    customer = register(registered_at=NOW - timedelta(days=800))
    await _apply(pools, apply_usage, _use(customer.person_id, NOW - timedelta(days=30)))
    await _hand_to_membership(pools, customer.person_id)
    assert await _waiting(pools, customer.person_id) == 1
    await keep_waiting_reports(pools["membership"], config)
    assert await _waiting(pools, customer.person_id) == 1  # nobody to keep it for yet

    await run(pools["membership"], config, customer)
    await keep_waiting_reports(pools["membership"], config)
    assert await _waiting(pools, customer.person_id) == 0
    kept = await pools["membership"].fetchval("SELECT last_active_at FROM activity_elsewhere WHERE person_id = $1"
                                              " AND service = 'digital'", customer.person_id)
    assert kept == NOW - timedelta(days=30)
    assert customer.person_id not in await _due(pools, {customer.person_id})


async def test_nothing_is_reported_of_an_erased_person_nor_kept_of_a_report_about_one(settings, pools):
    customer = register(registered_at=NOW - timedelta(days=800))
    await run(pools["membership"], MembershipConfig.from_settings(settings), customer)
    person = customer.person_id
    await _apply(pools, apply_usage, _use(person, NOW - timedelta(days=3)))
    reports = await _reported(pools, person)
    async with pools["digital"].acquire() as conn, conn.transaction():
        rows = await digital_retention.erase_person(conn, person)
    assert rows["customer_activity"] == 1
    await _apply(pools, apply_usage, _use(person, NOW - timedelta(days=1)))  # dropped: the person is erased here
    assert len(await _reported(pools, person)) == len(reports) == 1
    async with pools["membership"].acquire() as conn, conn.transaction():
        await erase_person(conn, person)
    ignored = await _ignored_as_erased(pools)
    await _hand_to_membership(pools, person)  # a report still in the topic, read after the erasure
    await keep_waiting_reports(pools["membership"], MembershipConfig.from_settings(settings))
    assert not await pools["membership"].fetchval("SELECT count(*) FROM activity_elsewhere WHERE person_id = $1",
                                                  person)
    assert await _waiting(pools, person) == 0  # not left waiting for a registration under their id either
    assert await _ignored_as_erased(pools) == ignored + 1


async def test_a_waiting_report_goes_with_the_erasure_of_its_person(settings, pools):
    config = MembershipConfig.from_settings(settings)
    customer = register(registered_at=NOW - timedelta(days=800))
    await _apply(pools, apply_usage, _use(customer.person_id, NOW - timedelta(days=1)))
    await _hand_to_membership(pools, customer.person_id)
    await run(pools["membership"], config, customer)
    async with pools["membership"].acquire() as conn, conn.transaction():  # erased before the sweep came
        await erase_person(conn, customer.person_id)
    assert await _waiting(pools, customer.person_id) == 0
    assert await pools["membership"].fetchval("SELECT count(*) FROM erased_persons WHERE person_id = $1",
                                              customer.person_id) == 1


async def _ignored_as_erased(pools) -> int:
    return await pools["membership"].fetchval("SELECT coalesce(sum(count), 0) FROM ignored_updates"
                                              " WHERE source = 'digital' AND reason = 'erased'")


async def test_a_report_about_someone_who_never_registers_is_forgotten_after_the_wait(settings, pools):
    config = MembershipConfig.from_settings(settings)
    person = unique("p")
    await _apply(pools, apply_usage, _use(person, NOW - timedelta(days=1)))
    await _hand_to_membership(pools, person)
    await keep_waiting_reports(pools["membership"], config, now=datetime.now(timezone.utc) + timedelta(hours=1))
    assert await _waiting(pools, person) == 1
    await keep_waiting_reports(pools["membership"], config, now=datetime.now(timezone.utc) + config.activity_wait)
    assert await _waiting(pools, person) == 0


async def test_a_report_about_a_member_kept_for_the_member_register_keeps_nothing(settings, pools):
    config = MembershipConfig.from_settings(settings)
    customer = register(registered_at=NOW - timedelta(days=800))
    await run(pools["membership"], config, customer)
    await pools["membership"].execute("UPDATE persons SET erased_at = now() WHERE person_id = $1",
                                      customer.person_id)  # what an erasure leaves of a member
    ignored = await _ignored_as_erased(pools)
    await _apply(pools, apply_usage, _use(customer.person_id, NOW - timedelta(days=2)))
    await _hand_to_membership(pools, customer.person_id)
    assert not await pools["membership"].fetchval("SELECT count(*) FROM activity_elsewhere WHERE person_id = $1",
                                                  customer.person_id)
    assert await _waiting(pools, customer.person_id) == 0
    assert await _ignored_as_erased(pools) == ignored + 1


async def test_the_digital_services_note_of_activity_goes_once_past_the_inactive_customer_period(settings, pools):
    person = unique("p")
    await _apply(pools, apply_usage, _use(person, NOW - timedelta(days=800)))
    async with pools["digital"].acquire() as conn, conn.transaction():
        erased = await digital_retention.erase_expired(conn, load_retention_rules().cutoffs(NOW))
    assert erased["inactive_customer"] >= 1
    assert not await pools["digital"].fetchval("SELECT count(*) FROM customer_activity WHERE person_id = $1", person)
