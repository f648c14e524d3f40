"""Dead letters for operators: what is in a DLQ and why, and replay to the original topic.

Replay reads the DLQ in a consumer group of its own and commits only after the original topic has
acknowledged the re-sent message, so a replay that stops half-way continues where it stopped. The
re-sent message has its original bytes and headers; the consumer's deduplication makes a replayed
message that did get processed after all harmless.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer

from coopreg.client import read_topic
from shared.crypto import FieldCipher
from shared.dead_letters import CONSUMER, DETAIL, ORIGIN_TOPIC, REASON, dlq_topic, original_headers, original_value
from shared.kafka import make_producer
from shared.settings import Settings


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    reason: str
    detail: str
    consumer: str


def _header(record, name: str) -> str:
    return next((v.decode() for k, v in record.headers if k == name), "")


async def dead_letters(settings: Settings, topic: str) -> list[DeadLetter]:
    records = await read_topic(settings, dlq_topic(topic), timeout=5)
    return [DeadLetter(r.offset, _header(r, REASON), _header(r, DETAIL), _header(r, CONSUMER)) for r in records]


def reasons(letters: list[DeadLetter]) -> Counter:
    return Counter(letter.reason for letter in letters)


async def replay(settings: Settings, topic: str, limit: int | None = None, idle_ms: int = 3000) -> int:
    name = settings.kafka.topic(dlq_topic(topic))
    consumer = AIOKafkaConsumer(name, bootstrap_servers=settings.kafka.bootstrap_servers,
                                group_id="coopreg-dlq-replay", enable_auto_commit=False,
                                auto_offset_reset="earliest")
    producer = make_producer(settings.kafka, "coopreg-dlq-replay")
    cipher = FieldCipher(settings.secrets.encryption_key.get_secret_value())
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        while limit is None or replayed < limit:
            batch = await consumer.getmany(timeout_ms=idle_ms, max_records=500)
            if not batch:
                break
            for records in batch.values():
                for record in records[: None if limit is None else limit - replayed]:
                    await producer.send_and_wait(_header(record, ORIGIN_TOPIC), key=record.key,
                                                 value=original_value(record, cipher),
                                                 headers=original_headers(record.headers))
                    replayed += 1
            await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed
