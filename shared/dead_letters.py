"""The dead-letter topic `<topic>.dlq`: the original bytes and headers, plus why and who gave up.

A dead letter is sent and acknowledged by the broker before the consumer commits the offset past the
original, so a message is never dropped: it is either processed, or in the DLQ with its reason.
The original value is sealed (AES-GCM under the register's encryption key): rejected messages often
carry card numbers or identity codes, which must not lie in clear in a topic kept for weeks. Replay
opens it again; the reason and detail headers never contain personal data.
"""
from __future__ import annotations

from datetime import datetime, timezone

from shared.crypto import FieldCipher
from shared.logging import get_logger

DLQ_SUFFIX = ".dlq"
REASON, DETAIL, CONSUMER = "dlq_reason", "dlq_detail", "dlq_consumer"
ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET, FAILED_AT, SEALED = (
    "dlq_topic", "dlq_partition", "dlq_offset", "dlq_failed_at", "dlq_sealed")
DLQ_HEADERS = frozenset({REASON, DETAIL, CONSUMER, ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET, FAILED_AT,
                         SEALED})
SEAL_CONTEXT = "dead-letter"


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


def original_headers(headers) -> list[tuple[str, bytes]]:
    """The headers a replay sends again: the original ones, without what the DLQ added."""
    return [(k, v) for k, v in (headers or ()) if k not in DLQ_HEADERS]


def original_value(record, cipher: FieldCipher) -> bytes | None:
    """The original bytes of a dead letter."""
    sealed = dict(record.headers or ()).get(SEALED) == b"1"
    return cipher.open(record.value, SEAL_CONTEXT) if sealed and record.value is not None else record.value


class DeadLetters:
    def __init__(self, producer, cipher: FieldCipher) -> None:
        self.producer, self.cipher = producer, cipher
        self.sent = 0
        self.log = get_logger(component="dead-letters")

    async def send(self, record, consumer: str, reason: str, detail: str) -> None:
        headers = list(record.headers or ()) + [
            (REASON, reason.encode()), (DETAIL, detail[:2000].encode()), (CONSUMER, consumer.encode()),
            (ORIGIN_TOPIC, record.topic.encode()), (ORIGIN_PARTITION, str(record.partition).encode()),
            (ORIGIN_OFFSET, str(record.offset).encode()),
            (FAILED_AT, datetime.now(timezone.utc).isoformat().encode()), (SEALED, b"1"),
        ]
        value = None if record.value is None else self.cipher.seal(record.value, SEAL_CONTEXT)
        await self.producer.send_and_wait(dlq_topic(record.topic), value=value, key=record.key, headers=headers)
        self.sent += 1
        self.log.warning("dead-lettered", topic=record.topic, partition=record.partition,
                         offset=record.offset, consumer=consumer, reason=reason, detail=detail)
