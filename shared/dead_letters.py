"""The dead-letter topic `<topic>.dlq`: the original bytes and headers, plus why and who gave up.

A dead letter is sent and acknowledged by the broker before the consumer commits the offset past the
original, so a message is never dropped: it is either processed, or in the DLQ with its reason.
The original value is sealed: rejected messages often carry card numbers or identity codes, which must not
lie in clear in a topic kept for weeks. A dead letter about a known person is sealed under that person's
key (`shared.subject_keys`, header `dlq_sealed_for`), so erasing them — destroying the key — makes it
unreadable like every other event sealed for them; one about nobody known is sealed under the register's
encryption key (header `dlq_sealed: 1`). Replay and `coopreg dlq show --open` open them again; the reason
and detail headers never contain personal data.

The person is known when the message names them (`subject_of`): it was sealed for them, or its Kafka key is
the person id (a topic keyed by person id), or its value has a top-level `person_id`. A message about a
person already erased keeps no value at all: there is no key left to seal it under, and nothing of an
erased person is to be kept.
"""
from __future__ import annotations

from datetime import datetime, timezone

import orjson

from shared.crypto import FieldCipher
from shared.logging import get_logger
from shared.subject_keys import SubjectErased, SubjectKeys, seal, sealed_for, unseal

DLQ_SUFFIX = ".dlq"
REASON, DETAIL, CONSUMER = "dlq_reason", "dlq_detail", "dlq_consumer"
ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET, FAILED_AT, SEALED, SEALED_FOR = (
    "dlq_topic", "dlq_partition", "dlq_offset", "dlq_failed_at", "dlq_sealed", "dlq_sealed_for")
DLQ_HEADERS = frozenset({REASON, DETAIL, CONSUMER, ORIGIN_TOPIC, ORIGIN_PARTITION, ORIGIN_OFFSET, FAILED_AT,
                         SEALED, SEALED_FOR})
SEAL_CONTEXT = "dead-letter"
PERSON_KEYED = "person id"  # the `Topic.key` of topics whose Kafka key is the person id


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


def original_headers(headers) -> list[tuple[str, bytes]]:
    """The headers a replay sends again: the original ones, without what the DLQ added."""
    return [(k, v) for k, v in (headers or ()) if k not in DLQ_HEADERS]


def subject_of(record, topic_key: str = "") -> str | None:
    """The person a message is about, when it names them (see the module's docstring); None otherwise."""
    if subject := sealed_for(record.headers):
        return subject
    if topic_key == PERSON_KEYED and record.key:
        return record.key.decode("utf-8", "replace")
    if record.value:
        try:
            value = orjson.loads(record.value)
        except orjson.JSONDecodeError:
            return None
        person = value.get("person_id") if isinstance(value, dict) else None
        if isinstance(person, str) and person:
            return person
    return None


def letter_subject(record) -> str | None:
    """The person a dead letter is sealed for (None: sealed under the shared key, or not sealed)."""
    value = dict(record.headers or ()).get(SEALED_FOR)
    return value.decode("utf-8", "replace") if value else None


def original_value(record, cipher: FieldCipher, subject_keys: dict[str, bytes] | None = None) -> bytes | None:
    """The original bytes of a dead letter. `subject_keys`: the keys that exist of the persons dead letters
    are sealed for (`SubjectKeys.keys_of`); `SubjectErased` when the letter's person has none (erased)."""
    if record.value is None:
        return None
    if subject := letter_subject(record):
        key = (subject_keys or {}).get(subject)
        if key is None:
            raise SubjectErased("the dead letter is sealed for a person whose key was destroyed")
        return unseal(key, subject, record.value)
    sealed = dict(record.headers or ()).get(SEALED) == b"1"
    return cipher.open(record.value, SEAL_CONTEXT) if sealed else record.value


class DeadLetters:
    """Sends dead letters. With `subject_keys` and `pool` (as every service runs), a letter about a known
    person is sealed under their key; without them (tools, tests of the transport) under the shared key."""

    def __init__(self, producer, cipher: FieldCipher, subject_keys: SubjectKeys | None = None, pool=None) -> None:
        self.producer, self.cipher = producer, cipher
        self.subject_keys, self.pool = subject_keys, pool
        self.sent = 0
        self.log = get_logger(component="dead-letters")

    async def send(self, record, consumer: str, reason: str, detail: str, topic_key: str = "") -> None:
        """Send `record` to its DLQ; `topic_key`: the `Topic.key` of its topic (names a person-keyed one)."""
        headers = list(record.headers or ()) + [
            (REASON, reason.encode()), (DETAIL, detail[:2000].encode()), (CONSUMER, consumer.encode()),
            (ORIGIN_TOPIC, record.topic.encode()), (ORIGIN_PARTITION, str(record.partition).encode()),
            (ORIGIN_OFFSET, str(record.offset).encode()),
            (FAILED_AT, datetime.now(timezone.utc).isoformat().encode()),
        ]
        subject = subject_of(record, topic_key) if self.subject_keys is not None else None
        value, sealing = await self._sealed(record.value, subject)
        await self.producer.send_and_wait(dlq_topic(record.topic), value=value, key=record.key,
                                          headers=headers + sealing)
        self.sent += 1
        self.log.warning("dead-lettered", topic=record.topic, partition=record.partition,
                         offset=record.offset, consumer=consumer, reason=reason, detail=detail,
                         sealed_for_person=subject is not None)

    async def _sealed(self, value: bytes | None, subject: str | None) -> tuple[bytes | None, list]:
        """The value to send and the header saying how it is sealed. Raises the key store's own errors (a
        lost database), which the delivery pipeline waits out like any other."""
        keys = self.subject_keys
        if subject is None or keys is None:
            return (None if value is None else self.cipher.seal(value, SEAL_CONTEXT)), [(SEALED, b"1")]
        header = [(SEALED_FOR, subject.encode())]
        if value is None:
            return None, header
        try:
            async with self.pool.acquire() as conn:
                key = await keys.key_for(conn, subject)
        except SubjectErased:
            return None, header  # about an erased person: nothing of it is kept
        return seal(key, subject, value), header
