"""Sending many messages as Kafka record batches, for the outbox relay.

`AIOKafkaProducer.send` costs tens of microseconds of Python per message, more than the broker spends on
it; a month close publishes millions. Here the messages are appended to one record batch per partition
and each full batch is handed to the producer whole. The partition is the one `send` would choose (the
default partitioner: murmur2 of the key over the topic's partitions), so a key's events stay in one
partition and in order, whichever way they were sent.
"""
from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaProducer
from murmurhash2 import murmurhash2

Message = tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]]]
"""(topic, key, value, headers)"""

KAFKA_SEED = 0x9747B28C


def murmur2(key: bytes) -> int:
    """Kafka's MurmurHash2 of a key (seed 0x9747b28c), unsigned, as the Java client and aiokafka compute
    it (a test holds it to aiokafka's); in C, as it runs for every message a close publishes."""
    return murmurhash2(key, KAFKA_SEED)


def partition_for(key: bytes | None, partitions: list[int]) -> int:
    """The partition the producer's default partitioner picks: by the key's murmur2 over the partitions
    sorted by id, or any partition for a message without a key."""
    if key is None:
        return random.choice(partitions)
    return partitions[(murmur2(key) & 0x7FFFFFFF) % len(partitions)]


async def send_in_batches(producer: AIOKafkaProducer, messages: Iterable[Message]) -> None:
    """Send the messages, in order within each partition, and wait until the broker acknowledged all."""
    partitions: dict[str, list[int]] = {}
    batches: dict[tuple[str, int], Any] = {}  # aiokafka's BatchBuilder, untyped
    acknowledged = []
    for topic, key, value, headers in messages:
        if topic not in partitions:
            partitions[topic] = sorted(await producer.partitions_for(topic))
        every = partitions[topic]
        target = (topic, partition_for(key, every))
        batch = batches.get(target)
        if batch is None:
            batch = batches[target] = producer.create_batch()
        if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
            acknowledged.append(await producer.send_batch(batch, topic, partition=target[1]))
            batch = batches[target] = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=None, headers=headers) is None:
                raise ValueError(f"a message for {topic} is larger than the producer's largest batch")
    for (topic, partition), batch in batches.items():
        acknowledged.append(await producer.send_batch(batch, topic, partition=partition))
    await asyncio.gather(*acknowledged)
