"""The shared delivery plumbing against the real broker and database: inbox, poison isolation, DLQ
replay, and the outbox relay."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from contracts.envelope import Envelope
from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS, Topic
from coopreg.client import read_topic
from coopreg.dlq import dead_letters, replay
from shared import outbox
from shared.db import create_pool, migrate
from shared.crypto import FieldCipher
from shared.dead_letters import DeadLetters
from shared.delivery import Delivery
from shared.kafka import ensure_topics

SCHEMA = "delivery_test"


@pytest.fixture(scope="module")
async def topic(settings) -> Topic:
    topic = Topic(f"delivery-test-{uuid.uuid4().hex[:6]}.v1", "month", CloseBonusMonth, "plumbing tests")
    await ensure_topics(settings.kafka, (topic,))
    return topic


@pytest.fixture(scope="module")
async def pool(settings, tmp_path_factory):
    pool = await create_pool(settings.pg, SCHEMA)
    await migrate(pool, SCHEMA, Path(tmp_path_factory.mktemp("no-migrations")))
    await pool.execute("CREATE TABLE IF NOT EXISTS effects (month text, event_id text)")
    yield pool
    await pool.close()


async def publish(client, topic: Topic, months: list[str]) -> None:
    for month in months:
        await client.send(topic, month, CloseBonusMonth(month=month), Envelope(source="test", type="t"))
    await client.flush()


async def consume(settings, topic: Topic, count: int) -> list:
    return await read_topic(settings, topic, expect=count, timeout=15)


def handler_failing_on(poison: set[str]):
    async def record_effect(conn, messages):
        for message in messages:
            if message.data.month in poison:
                raise ValueError("this month cannot be handled")
            await conn.execute("INSERT INTO effects VALUES ($1, $2)", message.data.month, message.envelope.id)
    return record_effect


async def effects(pool, months: list[str]) -> list[str]:
    rows = await pool.fetch("SELECT month FROM effects WHERE month = ANY($1) ORDER BY month", months)
    return [r["month"] for r in rows]


async def test_a_poison_message_goes_to_the_dlq_and_the_rest_of_the_batch_is_applied(
        settings, client, topic, pool, producer):
    months = ["2050-01", "2050-02", "2050-03", "2050-04"]
    await publish(client, topic, months)
    delivery = Delivery("plumbing", CloseBonusMonth, pool, DeadLetters(producer, FieldCipher(settings.secrets.encryption_key.get_secret_value())), settings.delivery)
    await delivery.process(await consume(settings, topic, 4), handler_failing_on({"2050-03"}))
    assert await effects(pool, months) == ["2050-01", "2050-02", "2050-04"]
    letters = await dead_letters(settings, topic.name)
    assert [(d.reason, d.consumer) for d in letters] == [("processing_failed", "plumbing")]
    assert "ValueError" in letters[0].detail
    [sealed] = await read_topic(settings, topic.dlq, timeout=5)
    assert b"2050-03" not in sealed.value  # the original bytes are sealed at rest

    # the cause is fixed: a replay sends the dead letter back and it is applied once
    assert await replay(settings, topic.name) == 1
    records = await consume(settings, topic, 5)
    await delivery.process(records, handler_failing_on(set()))
    assert await effects(pool, months) == months


async def test_a_redelivered_batch_has_no_second_effect(settings, client, pool, producer):
    topic = Topic(f"delivery-dup-{uuid.uuid4().hex[:6]}.v1", "month", CloseBonusMonth, "plumbing tests")
    await ensure_topics(settings.kafka, (topic,))
    await publish(client, topic, ["2051-01", "2051-02"])
    delivery = Delivery("plumbing-dup", CloseBonusMonth, pool, DeadLetters(producer, FieldCipher(settings.secrets.encryption_key.get_secret_value())), settings.delivery)
    records = await consume(settings, topic, 2)
    for _ in range(3):  # as after a crash before the offset commit
        await delivery.process(records, handler_failing_on(set()))
    assert await effects(pool, ["2051-01", "2051-02"]) == ["2051-01", "2051-02"]
    assert delivery.duplicates == 4


async def test_the_outbox_relay_publishes_in_order_and_only_once(settings, pool, producer):
    key = uuid.uuid4().hex
    events = [outbox.OutgoingEvent(BONUS_COMMANDS.name, key, Envelope(source="test", type="t"),
                                   CloseBonusMonth(month=f"2052-{m:02d}")) for m in range(1, 6)]
    async with pool.acquire() as conn, conn.transaction():
        await outbox.add(conn, events)
    relay = outbox.OutboxRelay(pool, producer, SCHEMA, topic_prefix=settings.kafka.topic_prefix)
    assert await relay.relay_once() == 5
    assert await relay.relay_once() == 0
    records = [r for r in await read_topic(settings, BONUS_COMMANDS, timeout=5) if r.key == key.encode()]
    assert [r.value for r in records] == [e.data.model_dump_json().encode() for e in events]
    assert [dict(r.headers)["ce_id"].decode() for r in records] == [e.envelope.id for e in events]


async def test_a_service_session_has_its_schema_and_no_jit_unless_configured(settings, pool):
    async with pool.acquire() as conn:
        assert (await conn.fetchval("SHOW search_path"), await conn.fetchval("SHOW jit")) == (SCHEMA, "off")
    jitting = await create_pool(settings.pg.model_copy(update={"jit": True}), SCHEMA, min_size=1, max_size=1)
    try:
        assert await jitting.fetchval("SHOW jit") == "on"
    finally:
        await jitting.close()
