"""Kafka clients built from the settings: the idempotent producer, the admin that creates topics, and
the FastStream broker the subscribers hang on."""
from __future__ import annotations

import logging
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512

from contracts.topics import ALL, DAY_MS, Topic, segment_ms
from shared.dead_letters import dlq_topic
from shared.settings import KafkaSettings


def _security(kafka: KafkaSettings) -> dict:
    options: dict = {"security_protocol": kafka.security_protocol}
    if kafka.sasl_mechanism:
        options.update(sasl_mechanism=kafka.sasl_mechanism, sasl_plain_username=kafka.sasl_username,
                       sasl_plain_password=kafka.sasl_password.get_secret_value() if kafka.sasl_password else None)
    return options


def make_producer(kafka: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    """Idempotent, acks=all: a retried send never duplicates or reorders within a partition."""
    return AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, client_id=client_id,
                            enable_idempotence=True, acks="all", linger_ms=5,
                            max_batch_size=1024 * 1024, **_security(kafka))


def _broker_security(kafka: KafkaSettings) -> BaseSecurity | None:
    if not kafka.sasl_mechanism:
        return BaseSecurity(use_ssl=True) if kafka.security_protocol == "SSL" else None
    mechanism = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}
    return mechanism[kafka.sasl_mechanism](
        username=kafka.sasl_username or "", use_ssl=kafka.security_protocol == "SASL_SSL",
        password=kafka.sasl_password.get_secret_value() if kafka.sasl_password else "")


BROKER_LOGGER = "coopreg.broker"


def make_broker(kafka: KafkaSettings, client_id: str) -> KafkaBroker:
    # FastStream logs every message at INFO; the delivery pipeline logs what matters, structured. A logger of
    # our own, with no handler of its own: what FastStream says goes through the process's one (JSON)
    # handler, at the root's level (FastStream's own logger writes coloured text past it).
    return KafkaBroker(kafka.bootstrap_servers, client_id=client_id, security=_broker_security(kafka),
                       logger=logging.getLogger(BROKER_LOGGER), log_level=logging.DEBUG)


def _dlq_configs(kafka: KafkaSettings) -> dict[str, str]:
    retention = kafka.dlq_retention_days * DAY_MS
    return {"cleanup.policy": "delete", "retention.ms": str(retention), "segment.ms": str(segment_ms(retention))}


def _new_topics(topic: Topic, kafka: KafkaSettings, replication: int) -> list[NewTopic]:
    name = kafka.topic(topic.name)
    return [NewTopic(name, kafka.partitions, replication, topic_configs=topic.configs()),
            NewTopic(dlq_topic(name), 1, replication, topic_configs=_dlq_configs(kafka))]


async def ensure_topics(kafka: KafkaSettings, topics: tuple[Topic, ...] = ALL) -> list[str]:
    """Create the registry's topics and their DLQs where missing, and give the existing ones the configuration
    the registry declares (a retention shortened in `contracts.topics` applies to topics made before);
    return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers, **_security(kafka))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        declared = [t for topic in topics for t in _new_topics(topic, kafka, kafka.replication)]
        wanted = [t for t in declared if t.name not in existing]
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass  # made meanwhile (another instance), or older than the broker's listing said: aligned below
        # Every declared topic, not only those listed: a listing can lag a topic just made elsewhere, which
        # then exists with its maker's configuration; one made here already has the declared one.
        await _align_configs(admin, {t.name: t.topic_configs for t in declared})
        return [t.name for t in wanted]
    finally:
        await admin.close()


async def topic_configs(admin: AIOKafkaAdminClient, names: list[str]) -> dict[str, dict[str, str]]:
    """The named topics' current configuration, name -> {config: value}."""
    if not names:
        return {}
    responses = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name) for name in names])
    current: dict[str, dict[str, str]] = {}
    for response in responses:
        for error_code, _message, _type, name, entries in response.resources:
            if error_code == 0:
                current[name] = {entry[0]: entry[1] for entry in entries}
    return current


async def _align_configs(admin: AIOKafkaAdminClient, declared: dict[str, dict[str, str]]) -> list[str]:
    """Alter the topics whose configuration differs from the declared one; idempotent: a topic already as
    declared is left alone, so services starting together alter nothing twice. The whole declared set is
    sent (AlterConfigs replaces a topic's own settings), which is every setting the registry owns."""
    current = await topic_configs(admin, list(declared))
    stale = [name for name, configs in declared.items()
             if name in current and any(current[name].get(k) != v for k, v in configs.items())]
    if stale:
        await admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, declared[name]) for name in stale])
    return stale


async def delete_prefixed_topics(kafka: KafkaSettings) -> int:
    """Delete every topic under this run's prefix (a test session's or a benchmark's), so that runs do
    not pile up partitions that the broker keeps loading and checking. Refuses without a prefix."""
    if not kafka.topic_prefix:
        raise ValueError("refusing to delete topics without a topic prefix")
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers, **_security(kafka))
    await admin.start()
    try:
        doomed = [name for name in await admin.list_topics() if name.startswith(kafka.topic_prefix)]
        for start in range(0, len(doomed), 100):
            await admin.delete_topics(doomed[start:start + 100], timeout_ms=60_000)
        return len(doomed)
    finally:
        await admin.close()


class LagReader:
    """Consumer lag per group, topic and partition (end offset minus committed offset), read at most every
    few seconds whatever the scrape rate. Every partition of every subscription is there from the start: a
    group that has committed nothing on a partition yet lags by what it has still to read from the
    beginning (the subscribers start at the earliest offset), so a consumer that never got going shows."""

    def __init__(self, kafka: KafkaSettings, groups: dict[str, str], every_seconds: float = 5.0) -> None:
        self.kafka, self.groups, self.every = kafka, groups, every_seconds
        self._cached: dict = {}
        self._at = 0.0

    async def __call__(self) -> dict[tuple[str, str, int], int]:
        if time.monotonic() - self._at > self.every:
            self._cached, self._at = await self._read(), time.monotonic()
        return self._cached

    async def _read(self) -> dict[tuple[str, str, int], int]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka.bootstrap_servers, **_security(self.kafka))
        consumer = AIOKafkaConsumer(bootstrap_servers=self.kafka.bootstrap_servers, **_security(self.kafka))
        await admin.start()
        await consumer.start()
        try:
            topics = sorted(set(self.groups.values()))
            partitions = [TopicPartition(t["topic"], p["partition"]) for t in await admin.describe_topics(topics)
                          if t["error_code"] == 0 for p in t["partitions"]]
            if not partitions:
                return {}
            end = await consumer.end_offsets(partitions)
            start = await consumer.beginning_offsets(partitions)
            lags: dict[tuple[str, str, int], int] = {}
            for group, topic in self.groups.items():
                committed = {tp: meta.offset for tp, meta in (await admin.list_consumer_group_offsets(group)).items()
                             if tp.topic == topic}
                for tp in (tp for tp in partitions if tp.topic == topic):
                    read_from = max(committed.get(tp, start[tp]), start[tp])  # expired past a commit: from the start
                    lags[(group, topic, tp.partition)] = max(end[tp] - read_from, 0)
            return lags
        finally:
            await consumer.stop()
            await admin.close()
