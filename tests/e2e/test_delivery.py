"""The shared delivery plumbing against the real broker and database: inbox, poison isolation, DLQ
replay, and the outbox relay."""
from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from contracts.envelope import Envelope
from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS, Topic
from coopreg.client import read_topic
from coopreg.dlq import dead_letters, replay
from shared import outbox
from shared.crypto import FieldCipher
from shared.db import create_pool, migrate
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


async def topic_with(settings, client, name: str, months: list[str]) -> Topic:
    """A fresh topic holding one close command per month."""
    topic = Topic(f"{name}-{uuid.uuid4().hex[:6]}.v1", "month", CloseBonusMonth, "plumbing tests")
    await ensure_topics(settings.kafka, (topic,))
    await publish(client, topic, months)
    return topic


def delivery_for(settings, pool, producer, consumer: str, prepare=None, **delivery_settings) -> Delivery:
    dead_letters = DeadLetters(producer, FieldCipher(settings.secrets.encryption_key.get_secret_value()))
    return Delivery(consumer, CloseBonusMonth, pool, dead_letters,
                    settings.delivery.model_copy(update=delivery_settings), prepare=prepare)


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
    delivery = delivery_for(settings, pool, producer, "plumbing")
    await delivery.process(await consume(settings, topic, 4), handler_failing_on({"2050-03"}))
    assert await effects(pool, months) == ["2050-01", "2050-02", "2050-04"]
    letters = await dead_letters(settings, topic.name)
    assert [(d.reason, d.consumer) for d in letters] == [("processing_failed", "plumbing")]
    assert "ValueError" in letters[0].detail
    [sealed] = await read_topic(settings, topic.dlq)
    assert b"2050-03" not in sealed.value  # the original bytes are sealed at rest

    # the cause is fixed: a replay sends the dead letter back and it is applied once
    assert await replay(settings, topic.name) == 1
    records = await consume(settings, topic, 5)
    await delivery.process(records, handler_failing_on(set()))
    assert await effects(pool, months) == months


async def test_a_redelivered_batch_has_no_second_effect(settings, client, pool, producer):
    topic = await topic_with(settings, client, "delivery-dup", ["2051-01", "2051-02"])
    delivery = delivery_for(settings, pool, producer, "plumbing-dup")
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
    records = [r for r in await read_topic(settings, BONUS_COMMANDS) if r.key == key.encode()]
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


async def test_a_batch_is_applied_slice_by_slice_in_order_the_next_decoded_meanwhile(settings, client, pool,
                                                                                      producer):
    months = [f"2053-{m:02d}" for m in range(1, 8)]
    topic = await topic_with(settings, client, "delivery-slices", months)
    delivery = delivery_for(settings, pool, producer, "plumbing-slices", pipeline_records=3)
    happened: list[tuple] = []
    decode = delivery.decode

    def noting_decode(record):
        incoming = decode(record)
        happened.append(("decoded", incoming.data.month))
        return incoming

    async def apply_noting_what_is_committed(conn, messages):
        seen = {r["month"] for r in await pool.fetch("SELECT month FROM effects WHERE month = ANY($1)", months)}
        happened.append(("applying", [m.data.month for m in messages], sorted(seen)))
        await asyncio.sleep(0.1)  # a slow transaction: the next slice is decoded meanwhile
        for message in messages:
            await conn.execute("INSERT INTO effects VALUES ($1, $2)", message.data.month, message.envelope.id)

    delivery.decode = noting_decode
    records = await consume(settings, topic, 7)
    await delivery.process(records, apply_noting_what_is_committed)

    assert await effects(pool, months) == months
    read = [CloseBonusMonth.model_validate_json(r.value).month for r in records]  # in the order consumed
    # one transaction per slice, each beginning once the slices before it are committed
    assert [(event[1], event[2]) for event in happened if event[0] == "applying"] == [
        (read[0:3], []), (read[3:6], sorted(read[0:3])), (read[6:7], sorted(read[0:6]))]
    # while the first slice was applied, the second was decoded
    order = [event[:2] if event[0] == "decoded" else ("applying", event[1][0]) for event in happened]
    assert order.index(("decoded", read[5])) < order.index(("applying", read[3]))


async def test_a_poison_message_in_one_slice_leaves_the_other_slices_applied(settings, client, pool, producer):
    months = [f"2054-{m:02d}" for m in range(1, 6)]
    topic = await topic_with(settings, client, "delivery-slice-poison", months)
    delivery = delivery_for(settings, pool, producer, "plumbing-slice-poison", pipeline_records=2,
                            retry_backoff_ms=10)
    await delivery.process(await consume(settings, topic, 5), handler_failing_on({"2054-04"}))
    assert await effects(pool, months) == ["2054-01", "2054-02", "2054-03", "2054-05"]
    assert [d.reason for d in await dead_letters(settings, topic.name)] == ["processing_failed"]


async def test_what_prepare_makes_of_a_message_reaches_the_handler_and_its_failure_dead_letters_only_it(
        settings, client, pool, producer):
    months = ["2055-01", "2055-02", "2055-03"]
    topic = await topic_with(settings, client, "delivery-prepare", months)

    def prepare(message):
        if message.data.month == "2055-02":
            raise ValueError("cannot be prepared")
        return message.data.month.replace("2055", "prepared")

    async def record_prepared(conn, messages):
        for message in messages:
            await conn.execute("INSERT INTO effects VALUES ($1, $2)", message.prepared, message.envelope.id)

    delivery = delivery_for(settings, pool, producer, "plumbing-prepare", prepare)
    await delivery.process(await consume(settings, topic, 3), record_prepared)
    assert await effects(pool, ["prepared-01", "prepared-02", "prepared-03"]) == ["prepared-01", "prepared-03"]
    [letter] = await dead_letters(settings, topic.name)
    assert (letter.reason, "ValueError" in letter.detail) == ("processing_failed", True)
