"""A client of the register's topics for operators, the simulator and the tests: publish an event in the
envelope, publish raw bytes (as a misbehaving producer would), and read a topic from the beginning."""
from __future__ import annotations

import time

from aiokafka import AIOKafkaConsumer
from pydantic import BaseModel

from contracts.envelope import Envelope
from contracts.topics import Topic
from shared.kafka import ensure_topics, make_producer
from shared.settings import Settings

SOURCE = "coopreg/cli"


class RegisterClient:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.producer = make_producer(settings.kafka, f"coopreg-client-{settings.instance}")

    async def __aenter__(self) -> "RegisterClient":
        await ensure_topics(self.settings.kafka)
        await self.producer.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.producer.stop()

    def name(self, topic: Topic | str) -> str:
        return self.settings.kafka.topic(topic.name if isinstance(topic, Topic) else topic)

    async def send(self, topic: Topic, key: str | None, data: BaseModel, envelope: Envelope | None = None):
        """Queue one event; returns the future of its delivery."""
        envelope = envelope or Envelope(source=SOURCE, type=topic.event_type)
        return await self.producer.send(self.name(topic), value=data.model_dump_json().encode(),
                                        key=key.encode() if key else None, headers=envelope.headers())

    async def send_raw(self, topic: Topic | str, value: bytes | None, key: bytes | None = None,
                       headers: list[tuple[str, bytes]] | None = None):
        return await self.producer.send(self.name(topic), value=value, key=key, headers=headers or [])

    async def flush(self) -> None:
        await self.producer.flush()


async def read_topic(settings: Settings, topic: Topic | str, *, expect: int | None = None,
                     timeout: float = 10.0) -> list:
    """Every record of a topic from the beginning: until `expect` records arrived, or until it is read to
    its end (when `expect` is None), or until `timeout`."""
    name = settings.kafka.topic(topic.name if isinstance(topic, Topic) else topic)
    consumer = AIOKafkaConsumer(name, bootstrap_servers=settings.kafka.bootstrap_servers, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        records: list = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for items in (await consumer.getmany(timeout_ms=200, max_records=5000)).values():
                records.extend(items)
            if expect is not None and len(records) >= expect:
                break
            if expect is None and await _at_end(consumer):
                break
        return records
    finally:
        await consumer.stop()


async def _at_end(consumer: AIOKafkaConsumer) -> bool:
    partitions = list(consumer.assignment())
    if not partitions:
        return False
    end = await consumer.end_offsets(partitions)
    return all([await consumer.position(tp) >= end[tp] for tp in partitions])
