"""The dead-letter topic `<topic>.dlq`: the original bytes and headers, plus why and who gave up.

A dead letter is sent and acknowledged by the broker before the consumer commits the offset past the
original, so a message is never dropped: it is either processed, or in the DLQ with its reason.
"""
from __future__ import annotations

from datetime import datetime, timezone

from shared.logging import get_logger

DLQ_SUFFIX = ".dlq"
REASON, DETAIL, CONSUMER = "dlq_reason", "dlq_detail", "dlq_consumer"
ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET, FAILED_AT = (
    "dlq_topic", "dlq_partition", "dlq_offset", "dlq_failed_at")
DLQ_HEADERS = frozenset({REASON, DETAIL, CONSUMER, ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET, FAILED_AT})


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


def original_headers(headers) -> list[tuple[str, bytes]]:
    """The headers a replay sends again: the original ones, without what the DLQ added."""
    return [(k, v) for k, v in (headers or ()) if k not in DLQ_HEADERS]


class DeadLetters:
    def __init__(self, producer) -> None:
        self.producer = producer
        self.sent = 0
        self.log = get_logger(component="dead-letters")

    async def send(self, record, consumer: str, reason: str, detail: str) -> None:
        headers = list(record.headers or ()) + [
            (REASON, reason.encode()), (DETAIL, detail[:2000].encode()), (CONSUMER, consumer.encode()),
            (ORIGIN_TOPIC, record.topic.encode()), (ORIGIN_PARTITION, str(record.partition).encode()),
            (ORIGIN_OFFSET, str(record.offset).encode()),
            (FAILED_AT, datetime.now(timezone.utc).isoformat().encode()),
        ]
        await self.producer.send_and_wait(dlq_topic(record.topic), value=record.value, key=record.key,
                                          headers=headers)
        self.sent += 1
        self.log.warning("dead-lettered", topic=record.topic, partition=record.partition,
                         offset=record.offset, consumer=consumer, reason=reason, detail=detail)
