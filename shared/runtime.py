"""The composition root every service runs in: settings → logging → pool and migrations → topics →
producer, dead letters and outbox relay → FastStream subscribers. Nothing is built at import time."""
from __future__ import annotations

import asyncio
import gc
import signal
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable, NamedTuple

import asyncpg
import uvloop
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage

from contracts.topics import Topic
from shared import tracing
from shared.crypto import FieldCipher
from shared.db import create_pool, migrate
from shared.dead_letters import DeadLetters
from shared.delivery import Delivery, Handler, Prepare
from shared.jobs import keep_running
from shared.kafka import LagReader, ensure_topics, make_broker, make_producer
from shared.logging import configure_logging, get_logger
from shared.observability import GaugeSource, Observability
from shared.outbox import OutboxRelay
from shared.privacy_duties import PrivacyDuties, subscribe_privacy
from shared.settings import Settings
from shared.subject_endpoint import Answer, SubjectEndpoint, serve
from shared.subject_keys import SubjectKeys


class Fetching(NamedTuple):
    """How long a consumer waits for how much before it takes a batch."""

    min_bytes: int
    max_wait_ms: int


@dataclass
class ServiceContext:
    """What a service's subscribers and background jobs are given."""

    name: str
    settings: Settings
    pool: asyncpg.Pool
    producer: object
    dead_letters: DeadLetters
    broker: KafkaBroker
    deliveries: list[Delivery] = field(default_factory=list)
    jobs: list[Callable[[asyncio.Event], Awaitable[None]]] = field(default_factory=list)
    subject_keys: SubjectKeys | None = None  # opens events sealed for a person (crypto-shredding)
    published: Counter[str] = field(default_factory=Counter)  # events per topic, whichever job published them
    gauges: list[GaugeSource] = field(default_factory=list)  # the service's own gauges on /metrics

    def subscribe(self, topic: Topic, handler: Handler, *, consumer: str | None = None,
                  use_inbox: bool = True, max_records: int | None = None, tombstones: bool = False,
                  prepare: Prepare | None = None) -> Delivery:
        """Attach `handler` to `topic`: batches in, offsets committed only after `Delivery` returns.
        `tombstones`: a null value on this compacted topic reaches the handler with `data` None.
        `prepare`: the handler's work on each message that needs no database, done before its transaction."""
        group = consumer or self.name
        delivery = Delivery(group, topic.model, self.pool, self.dead_letters, self.settings.delivery, use_inbox,
                            tombstones, self.subject_keys, topic=self.settings.kafka.topic(topic.name),
                            strict=topic.strict_decoder(), prepare=prepare, topic_key=topic.key)
        self.deliveries.append(delivery)
        fetching = self._fetching(topic)

        # Should anything escape `Delivery` (it waits out outages itself), the batch is read again: never
        # committed past a message neither applied nor dead-lettered.
        @self.broker.subscriber(
            self.settings.kafka.topic(topic.name), group_id=group, batch=True, ack_policy=AckPolicy.NACK_ON_ERROR,
            auto_offset_reset="earliest",
            max_records=max_records or self.settings.delivery.batch_max_records,
            batch_timeout_ms=self.settings.delivery.batch_timeout_ms, title=f"{group}:{topic.name}",
            heartbeat_interval_ms=self.settings.delivery.heartbeat_interval_ms,
            fetch_min_bytes=fetching.min_bytes, fetch_max_wait_ms=fetching.max_wait_ms,
            description=topic.description, decoder=_undecoded)
        async def on_batch(msg: KafkaMessage) -> None:
            await delivery.process(msg.raw_message, handler)

        return delivery

    def _fetching(self, topic: Topic) -> Fetching:
        """Big batches from a bulk topic; from the others, whatever arrives, at once."""
        delivery = self.settings.delivery
        if topic.bulk:
            return Fetching(delivery.fetch_min_bytes, delivery.fetch_max_wait_ms)
        return Fetching(1, delivery.quiet_fetch_max_wait_ms)


async def _undecoded(message: KafkaMessage) -> None:
    """FastStream's decoder would parse every value as JSON for nothing: `Delivery` decodes the raw
    records itself, straight into the contract."""
    return None


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    migrations: Path
    wire: Callable[[ServiceContext], None]
    publishes: tuple[Topic, ...] = ()
    description: str = ""
    # The subject queries the service answers on its HTTP endpoint (contracts/subjects.py), given its settings.
    answers: Callable[[Settings], dict[str, Answer]] | None = None
    # Its part of erasure and retention (shared/privacy_duties.py), which the runtime subscribes.
    privacy: Callable[[Settings], PrivacyDuties] | None = None


async def open_pool(settings: Settings, service: ServiceDefinition) -> asyncpg.Pool:
    pool = await create_pool(settings.pg, service.name)
    await migrate(pool, service.name, service.migrations)
    return pool


async def run_service(service: ServiceDefinition, settings: Settings, stop: asyncio.Event | None = None,
                      ready: asyncio.Event | None = None) -> None:
    stop = stop or _stop_on_signals()
    log = get_logger(service=service.name, instance=settings.instance)
    tracing.configure(service.name, settings.tracing)  # off unless COOPREG_TRACING_EXPORTER names one
    pool = await open_pool(settings, service)
    await ensure_topics(settings.kafka)
    producer = make_producer(settings.kafka, f"{service.name}-{settings.instance}")
    await producer.start()
    broker = make_broker(settings.kafka, f"{service.name}-{settings.instance}")
    cipher = FieldCipher(settings.secrets.encryption_key.get_secret_value())
    subject_keys = SubjectKeys(cipher)
    async with pool.acquire() as conn, conn.transaction():
        await subject_keys.ensure_schema(conn)
    dead_letters = DeadLetters(producer, cipher, subject_keys, pool)
    ctx = ServiceContext(service.name, settings, pool, producer, dead_letters, broker, subject_keys=subject_keys)
    service.wire(ctx)
    if service.privacy is not None:
        subscribe_privacy(ctx, service.privacy(settings))
    relay = OutboxRelay(pool, producer, service.name, settings.delivery.outbox_batch,
                        settings.delivery.outbox_poll_ms, settings.kafka.topic_prefix, ctx.published)
    tasks = [asyncio.create_task(keep_running(job, stop)) for job in [relay.run, *ctx.jobs]]
    if settings.metrics_port:
        lag = LagReader(settings.kafka, {d.consumer: d.topic for d in ctx.deliveries})
        endpoint = SubjectEndpoint(service.name, pool, service.answers(settings) if service.answers else {},
                                   settings.secrets.service_token_key.get_secret_value(),
                                   Observability(ctx, relay, lag))
        tasks.append(asyncio.create_task(serve(endpoint.app(), settings.http_host, settings.metrics_port, stop)))
    await broker.start()
    # What is loaded by now lives as long as the process: kept out of every garbage collection, which
    # millions of consumed and relayed events would otherwise trigger over and over (CPU and pauses).
    gc.freeze()
    gc.set_threshold(settings.gc_threshold, *gc.get_threshold()[1:])
    log.info("service started")
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        await broker.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
        await producer.stop()
        await pool.close()
        tracing.shutdown()
        log.info("service stopped")


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


def main(service: ServiceDefinition) -> None:
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    # libuv's loop, in C: on the stock one, in Python, the ingest spent 17–19 % more CPU a receipt
    run = uvloop.run if settings.event_loop == "uvloop" else asyncio.run
    run(run_service(service, settings))
