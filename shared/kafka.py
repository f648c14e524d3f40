"""Kafka clients built from the settings: the idempotent producer, the admin that creates topics, and
the FastStream broker the subscribers hang on."""
from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from contracts.topics import ALL, Topic
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
                            max_batch_size=1024 * 1024, compression_type="lz4", **_security(kafka))


def make_broker(kafka: KafkaSettings, client_id: str) -> KafkaBroker:
    return KafkaBroker(kafka.bootstrap_servers, client_id=client_id, **_security(kafka))


def _new_topics(topic: Topic, partitions: int) -> list[NewTopic]:
    config = {"cleanup.policy": topic.cleanup, "retention.ms": str(topic.retention_ms)}
    return [NewTopic(topic.name, partitions, 1, topic_configs=config),
            NewTopic(dlq_topic(topic.name), 1, 1, topic_configs={"retention.ms": str(-1)})]


async def ensure_topics(kafka: KafkaSettings, topics: tuple[Topic, ...] = ALL,
                        replication: int = 1) -> list[str]:
    """Create the registry's topics and their DLQs where missing; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers, **_security(kafka))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for topic in topics for t in _new_topics(topic, kafka.partitions) if t.name not in existing]
        for new in wanted:
            new.replication_factor = replication
        if wanted:
            try:
                await admin.create_topics(wanted)
            except TopicAlreadyExistsError:
                pass
        return [t.name for t in wanted]
    finally:
        await admin.close()
