"""Reading a topic from a point without a consumer group: the partitions a topic has, once the consumer
knows them (the broker creates no topic on demand, so a topic that never appears does not exist)."""
from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition


async def assigned_partitions(consumer: AIOKafkaConsumer, timeout: float = 10) -> list[TopicPartition]:
    """The partitions of the topics a started, group-less consumer subscribed to; [] if none appear in time."""
    deadline = time.monotonic() + timeout
    while not consumer.assignment() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    return sorted(consumer.assignment())
