"""OpenTelemetry tracing across the real broker: an event staged in the outbox, published by the relay to
Kafka, read back and applied by `Delivery` — the consumer span continues the producer's trace."""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from contracts.envelope import Envelope
from contracts.events.bonus import CloseBonusMonth
from contracts.topics import Topic
from coopreg.client import read_topic
from shared import outbox, tracing
from shared.crypto import FieldCipher
from shared.db import create_pool, migrate
from shared.dead_letters import DeadLetters
from shared.delivery import Delivery
from shared.kafka import ensure_topics
from shared.settings import TracingSettings

SCHEMA = "tracing_test"
ALLOWED_ATTRIBUTES = {"messaging.system", "messaging.operation.type", "messaging.destination.name",
                      "messaging.consumer.group.name", "messaging.batch.message_count", "coopreg.outbox.schema"}


@pytest.fixture
def spans():
    exporter = InMemorySpanExporter()
    assert tracing.configure("tracing-test", TracingSettings(exporter="console"), SimpleSpanProcessor(exporter))
    yield exporter
    tracing.shutdown()


@pytest.fixture(scope="module")
async def pool(settings, tmp_path_factory):
    pool = await create_pool(settings.pg, SCHEMA)
    await migrate(pool, SCHEMA, Path(tmp_path_factory.mktemp("no-migrations")))
    await pool.execute("DELETE FROM outbox")
    yield pool
    await pool.close()


def event(topic: Topic, key: str, month: str) -> outbox.OutgoingEvent:
    return outbox.OutgoingEvent(topic.name, key, Envelope(source="test", type="t"), CloseBonusMonth(month=month))


async def test_the_consumer_span_continues_the_producers_trace_through_kafka(settings, pool, producer, spans):
    topic = Topic(f"tracing-test-{uuid.uuid4().hex[:6]}.v1", "month", CloseBonusMonth, "tracing tests")
    await ensure_topics(settings.kafka, (topic,))
    tracer = trace.get_tracer("test", tracer_provider=tracing._state["provider"])
    # one event staged by a handler inside a span, one staged outside any span (e.g. a scheduled job)
    with tracer.start_as_current_span("staging handler") as staging:
        async with pool.acquire() as conn, conn.transaction():
            await outbox.add(conn, [event(topic, "k", "2060-01")])
    async with pool.acquire() as conn, conn.transaction():
        await outbox.add(conn, [event(topic, "k", "2060-02")])

    relay = outbox.OutboxRelay(pool, producer, SCHEMA, topic_prefix=settings.kafka.topic_prefix)
    assert await relay.relay_once() == 2
    (published,) = [s for s in spans.get_finished_spans() if s.name == "outbox publish"]
    records = await read_topic(settings, topic, expect=2, timeout=15)
    assert sorted(dict(r.headers)["traceparent"].decode().split("-")[1] for r in records) == sorted(
        f"{c.trace_id:032x}" for c in (staging.get_span_context(), published.context))

    applied = {}

    async def handler(conn, messages):
        applied[messages[0].data.month] = trace.get_current_span().get_span_context()

    delivery = Delivery("tracing", CloseBonusMonth, pool, DeadLetters(
        producer, FieldCipher(settings.secrets.encryption_key.get_secret_value())), settings.delivery,
        topic=topic.name)
    for record in records:  # one batch each: a batch span has one parent, the first record's
        await delivery.process([record], handler)
    consumed = {s.context.span_id: s for s in spans.get_finished_spans() if s.kind == trace.SpanKind.CONSUMER}
    first, second = consumed[applied["2060-01"].span_id], consumed[applied["2060-02"].span_id]

    # the staged trace context travelled through the outbox and the broker
    assert first.context.trace_id == staging.get_span_context().trace_id
    assert first.parent.span_id == staging.get_span_context().span_id and first.parent.is_remote
    # an event staged outside any span continues the relay's trace
    assert second.context.trace_id == published.context.trace_id != staging.get_span_context().trace_id
    assert second.parent.span_id == published.context.span_id
    # the relay span is linked to the staged context it carried on
    assert [link.context.span_id for link in published.links] == [staging.get_span_context().span_id]
    # spans name topics and counts, never keys, subjects or payloads
    for span in (published, first, second):
        assert set(span.attributes) <= ALLOWED_ATTRIBUTES, span.attributes
    assert first.attributes["messaging.destination.name"] == topic.name
    assert first.name == f"{topic.name} process" and published.kind == trace.SpanKind.PRODUCER


async def test_a_failing_batch_marks_its_span_without_the_error_message(settings, pool, producer, spans):
    topic = Topic(f"tracing-fail-{uuid.uuid4().hex[:6]}.v1", "month", CloseBonusMonth, "tracing tests")
    await ensure_topics(settings.kafka, (topic,))
    async with pool.acquire() as conn, conn.transaction():
        await outbox.add(conn, [event(topic, "k", "2061-01")])
    await outbox.OutboxRelay(pool, producer, SCHEMA, topic_prefix=settings.kafka.topic_prefix).relay_once()
    records = await read_topic(settings, topic, expect=1, timeout=15)

    async def failing(conn, messages):
        raise ValueError("customer 010101-123N is unknown")

    delivery = Delivery("tracing-fail", CloseBonusMonth, pool, DeadLetters(
        producer, FieldCipher(settings.secrets.encryption_key.get_secret_value())),
        settings.delivery.model_copy(update={"max_attempts": 1}), topic=topic.name)
    await delivery.process(records, failing)
    (failed,) = [s for s in spans.get_finished_spans() if s.kind == trace.SpanKind.CONSUMER]
    assert failed.status.status_code == trace.StatusCode.ERROR and failed.status.description == "ValueError"
    assert not failed.events, "exceptions are not recorded: their messages may hold personal data"
