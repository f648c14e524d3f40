"""The consent service on the real stack: a withdrawal reaches the segment topic as a tombstone within seconds
(measured), a death from the population register does too, a reader from the beginning sees exactly the
allowed set, and the S-Bank round trip carries consent without echo."""
from __future__ import annotations

import json
import statistics
import time
from datetime import timedelta

import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from contracts.events.consent import ConsentCommand, DefineSegment, SetPermission
from contracts.events.dvv import PopulationUpdate
from contracts.events.marketing import segment_topic
from contracts.events.sbank import MarketingPermissions, SbankCustomerUpdate
from contracts.topics import (
    CONSENT_COMMANDS,
    DVV_POPULATION_UPDATES,
    MEMBERSHIP_COMMANDS,
    REGISTER_SBANK_UPDATES,
    SBANK_CUSTOMER_UPDATES,
)
from coopreg.client import read_topic
from services.consent.application.config import ConsentConfig
from shared.settings import PROJECT_ROOT
from tests.support.people import T0, join, register, unique
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")
WITHIN_SECONDS = 10.0


def grant(person_id: str, granted: bool, minutes: int) -> ConsentCommand:
    return ConsentCommand(SetPermission(person_id=person_id, channel="email", granted=granted, source="self_service",
                                        collection_point="s-mobiili", at=T0 + timedelta(minutes=minutes)))


async def members_known(client, db, *customers) -> None:
    """Register and join the customers with the membership service; wait until consent has their state."""
    for customer in customers:
        await client.send(MEMBERSHIP_COMMANDS, customer.person_id, customer)
        await client.send(MEMBERSHIP_COMMANDS, customer.person_id, join(customer.person_id))
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT count(*) = $2 FROM consent.persons WHERE person_id = ANY($1)"
                                         " AND cooperative_id IS NOT NULL", [c.person_id for c in customers],
                                         len(customers)))


async def segment_state(settings, name: str) -> dict[bytes, dict]:
    """The segment as a consumer reading from the beginning sees it (latest value per key)."""
    view: dict[bytes, dict] = {}
    for record in await read_topic(settings, segment_topic(name)):
        if record.value is None:
            view.pop(record.key, None)
        else:
            view[record.key] = orjson.loads(record.value)
    return view


async def tail(settings, name: str) -> AIOKafkaConsumer:
    """A consumer at the end of the segment's topic, ready before anything is sent."""
    consumer = AIOKafkaConsumer(settings.kafka.topic(segment_topic(name)), group_id=None,
                                bootstrap_servers=settings.kafka.bootstrap_servers, auto_offset_reset="latest")
    await consumer.start()
    while not consumer.assignment():
        await consumer.getmany(timeout_ms=100)
    for partition in consumer.assignment():
        await consumer.position(partition)
    return consumer


async def seconds_until_tombstone(consumer: AIOKafkaConsumer, key: bytes, sent_at: float) -> float:
    while time.monotonic() - sent_at < 30:
        for records in (await consumer.getmany(timeout_ms=50)).values():
            if any(r.key == key and r.value is None for r in records):
                return time.monotonic() - sent_at
    raise AssertionError("no tombstone within 30 s")


async def test_a_withdrawal_reaches_the_segment_topic_as_a_tombstone_within_seconds(settings, client, db):
    config, name = ConsentConfig.from_settings(settings), unique("offers")[:30]
    customers = [register() for _ in range(5)]
    await members_known(client, db, *customers)
    await client.send(CONSENT_COMMANDS, name, ConsentCommand(DefineSegment(
        name=name, purpose="marketing", channel="email", attributes=["age_band"], defined_at=T0)))
    for customer in customers:
        await client.send(CONSENT_COMMANDS, customer.person_id, grant(customer.person_id, True, 1))
    await client.flush()
    keys = {config.pseudonym(name, c.person_id).encode() for c in customers}
    await eventually(lambda: _has(settings, name, keys))
    consumer = await tail(settings, name)
    try:
        timings = []
        for customer in customers:  # one withdrawal at a time: command sent → tombstone read
            sent_at = time.monotonic()
            await client.send(CONSENT_COMMANDS, customer.person_id, grant(customer.person_id, False, 2))
            await client.flush()
            key = config.pseudonym(name, customer.person_id).encode()
            timings.append(await seconds_until_tombstone(consumer, key, sent_at))
    finally:
        await consumer.stop()
    _report(timings)
    assert max(timings) < WITHIN_SECONDS
    assert not keys & set(await segment_state(settings, name))  # a reader from the beginning: all gone


async def _has(settings, name: str, keys: set[bytes]) -> bool:
    return keys <= set(await segment_state(settings, name))


def _report(timings: list[float]) -> None:
    report = {"withdrawals": len(timings), "median_s": round(statistics.median(timings), 3),
              "max_s": round(max(timings), 3), "each_s": [round(t, 3) for t in timings]}
    path = PROJECT_ROOT / "artifacts" / "consent-withdrawal-latency.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"withdrawal → tombstone: {report}")


async def test_a_death_from_the_population_register_takes_the_person_out(settings, client, db):
    config, name = ConsentConfig.from_settings(settings), unique("post")[:30]
    customer = register()
    await members_known(client, db, customer)
    await client.send(CONSENT_COMMANDS, name, ConsentCommand(DefineSegment(
        name=name, purpose="customer_relationship", channel="post", defined_at=T0)))
    await client.flush()
    key = config.pseudonym(name, customer.person_id).encode()
    await eventually(lambda: _has(settings, name, {key}))
    died = T0 + timedelta(days=3)
    await client.send(DVV_POPULATION_UPDATES, unique("vtj"), PopulationUpdate(
        update_id=unique("vtj"), identity_code=customer.identity_code, kind="death", date_of_death=died.date(),
        effective_date=died.date(), source_time=died))
    await client.flush()
    await eventually(lambda: _gone(settings, name, key))


async def _gone(settings, name: str, key: bytes) -> bool:
    return key not in await segment_state(settings, name)


async def test_the_sbank_round_trip_carries_consent_without_echo(settings, client, db):
    customer = register(sbank_customer_ref=unique("SB"))
    ref = customer.sbank_customer_ref
    await members_known(client, db, customer)
    await eventually(lambda: db.fetchval("SELECT sbank_customer_ref = $2 FROM consent.persons WHERE person_id = $1",
                                         customer.person_id, ref))
    # the customer grants the e-mail permission in S-mobiili: only that goes to S-Bank
    await client.send(CONSENT_COMMANDS, customer.person_id, grant(customer.person_id, True, 1))
    await client.flush()
    (outbound,) = await eventually(lambda: _consent_updates(settings, ref))
    assert (outbound["permissions"], outbound["prohibitions"], outbound["email"]) == (
        {"email": True, "sms": None}, None, None)
    # S-Bank passes the register's change back, then the customer grants SMS marketing at S-Bank
    passed_on = {k: v for k, v in outbound.items() if k not in ("causation_id", "origin", "update_id")}
    echo = SbankCustomerUpdate(**passed_on, update_id=unique("sb"), origin="register")
    own = SbankCustomerUpdate(update_id=unique("sb"), sbank_customer_ref=ref, origin="sbank",
                              permissions=MarketingPermissions(sms=True), source_time=T0 + timedelta(minutes=5))
    for update in (echo, own):
        await client.send(SBANK_CUSTOMER_UPDATES, ref, update)
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT value FROM consent.consent_items WHERE person_id = $1"
                                         " AND item = 'permission:sms'", customer.person_id))
    await eventually(lambda: db.fetchval("SELECT count(*) = 0 FROM consent.outbox"))
    assert await db.fetchval("SELECT sum(count) FROM consent.ignored_updates WHERE reason = 'echo'") >= 1
    assert len(await _consent_updates(settings, ref)) == 1  # nothing went back to S-Bank


async def _consent_updates(settings, ref: str) -> list[dict]:
    records = await read_topic(settings, REGISTER_SBANK_UPDATES)
    values = [orjson.loads(r.value) for r in records if r.key == ref.encode()]
    return [v for v in values if v["update_id"].startswith("consent-")]
