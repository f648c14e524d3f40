"""Dead letters for operators: what is in a DLQ and why, and replay to the original topic.

Replay reads the DLQ in a consumer group of its own and commits only after the original topic has
acknowledged the re-sent message, so a replay that stops half-way continues where it stopped. The
re-sent message has its original bytes and headers; the consumer's deduplication makes a replayed
message that did get processed after all harmless.

A dead letter about a person is sealed under that person's key (`shared.dead_letters`): it is opened with
the key from the key store, and once the person is erased it can be neither shown nor replayed — replay
passes over it.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Awaitable, Callable

import asyncpg
import orjson
from aiokafka import AIOKafkaConsumer

from coopreg.client import read_topic
from coopreg.topic_reading import assigned_partitions
from services.register_api.domain.access import valid_person_id
from shared.crypto import DecryptionFailed, FieldCipher
from shared.dead_letters import (
    CONSUMER,
    DETAIL,
    FAILED_AT,
    ORIGIN_OFFSET,
    ORIGIN_PARTITION,
    ORIGIN_TOPIC,
    REASON,
    SEALED,
    dlq_topic,
    letter_subject,
    original_headers,
    original_value,
)
from shared.kafka import make_producer
from shared.logging import mask_text, redacted
from shared.settings import Settings
from shared.subject_keys import SubjectErased, SubjectKeys


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    reason: str
    detail: str
    consumer: str


async def subject_keys(settings: Settings, records) -> dict[str, bytes]:
    """The keys that still exist of the persons these dead letters are sealed for."""
    subjects = sorted({s for r in records if (s := letter_subject(r))})
    if not subjects:
        return {}
    pg = settings.pg
    conn = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database=pg.database,
                                 password=pg.password.get_secret_value())
    try:
        keys = SubjectKeys(FieldCipher(settings.secrets.encryption_key.get_secret_value()))
        return await keys.keys_of(conn, subjects)
    except asyncpg.UndefinedTableError:  # no key store yet: no person's key exists
        return {}
    finally:
        await conn.close()


def _header(record, name: str) -> str:
    return next((v.decode() for k, v in record.headers if k == name), "")


async def require_dlq(settings: Settings, topic: str) -> None:
    """Answer a mistyped topic at once, instead of reading a topic that never appears."""
    from coopreg.kafka_view import existing_topics

    if dlq_topic(topic) not in await existing_topics(settings):
        raise LookupError(f"there is no topic {topic} with a dead-letter queue on the cluster; `coopreg kafka dlq` "
                          "lists every DLQ")


async def dead_letters(settings: Settings, topic: str) -> list[DeadLetter]:
    await require_dlq(settings, topic)
    records = await read_topic(settings, dlq_topic(topic), timeout=5)
    return [DeadLetter(r.offset, _header(r, REASON), _header(r, DETAIL), _header(r, CONSUMER)) for r in records]


READ_TIMEOUT_S = 10


@dataclass(frozen=True)
class LetterInFull:
    """One dead letter for `coopreg dlq show`: why it failed, where it came from, its original headers, and
    its original value only when opened, with personal data masked."""

    partition: int
    offset: int
    reason: str
    detail: str
    consumer: str
    origin: str
    failed_at: str
    key: str | None
    sealed: bool
    size: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    value: object = None


def masked(raw: bytes | None) -> object:
    """A value for an operator's eyes: JSON with personal-data fields redacted and identifiers masked
    anywhere in it; other bytes as text with identifiers masked."""
    if raw is None:
        return None
    try:
        return redacted(orjson.loads(raw))
    except orjson.JSONDecodeError:
        return mask_text(raw.decode("utf-8", errors="replace"))


async def _record_at(settings: Settings, topic: str, offset: int, partition: int | None):
    name = settings.kafka.topic(dlq_topic(topic))
    consumer = AIOKafkaConsumer(name, bootstrap_servers=settings.kafka.bootstrap_servers, group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    try:
        known = await assigned_partitions(consumer)
        if not known:
            raise LookupError(f"there is no dead-letter topic {dlq_topic(topic)}; check the topic's name "
                              "(`coopreg dlq list <topic>` shows what is there)")
        chosen = [tp for tp in known if partition is None or tp.partition == partition]
        ends = await consumer.end_offsets(chosen)
        chosen = [tp for tp in chosen if offset < ends[tp]]
        if not chosen:
            raise LookupError(f"{dlq_topic(topic)} has no dead letter at offset {offset}; "
                              f"`coopreg dlq list {topic}` shows the offsets")
        for tp in chosen:
            consumer.seek(tp, offset)
        deadline = time.monotonic() + READ_TIMEOUT_S
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(*chosen, timeout_ms=500, max_records=1)).values():
                for record in records:
                    if record.offset == offset:
                        return record
                    raise LookupError(f"the dead letter at offset {offset} has expired (dead letters are kept "
                                      f"{settings.kafka.dlq_retention_days} days)")
        raise TimeoutError(f"the dead letter was not read within {READ_TIMEOUT_S} s; is Kafka running? "
                           "Try `coopreg stack status`")
    finally:
        await consumer.stop()


# Records the opening of a dead letter (the register API's audit log) before anything of its value is shown:
# (topic, partition, offset, the persons it is about); raises when the opening is not allowed.
RecordOpening = Callable[[str, int, int, list[str]], Awaitable[None]]
MAX_PERSONS_AUDITED = 50  # as many as the API's opening takes


def persons_named(raw: bytes | None) -> set[str]:
    """Every `person_id` anywhere in a JSON value (nothing for other bytes)."""
    try:
        stack, found = [orjson.loads(raw or b"")], set()
    except orjson.JSONDecodeError:
        return set()
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("person_id"), str) and value["person_id"]:
                found.add(value["person_id"])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


async def dead_letter(settings: Settings, topic: str, offset: int, partition: int | None = None,
                      open_value: bool = False, record_opening: RecordOpening | None = None) -> LetterInFull:
    """One dead letter; `open_value` opens its sealed value, which is shown (masked) only after
    `record_opening` recorded whom it is about."""
    if open_value and record_opening is None:
        raise ValueError("opening a dead letter is audited: it needs a named user and purpose")
    record = await _record_at(settings, topic, offset, partition)
    cipher = FieldCipher(settings.secrets.encryption_key.get_secret_value())
    value = None
    if open_value and record_opening is not None:  # opening without one was refused above
        try:
            raw = original_value(record, cipher, await subject_keys(settings, [record]))
            subject = letter_subject(record)
            # a rejected message may name "persons" that are no person id at all: the audit names the real ones
            named = persons_named(raw) | ({subject} if subject else set())
            await record_opening(topic, record.partition, record.offset,
                                 sorted(p for p in named if valid_person_id(p))[:MAX_PERSONS_AUDITED])
            value = masked(raw)
        except SubjectErased:
            raise ValueError("the dead letter is about a person who was erased: it was sealed under their key, "
                             "which was destroyed, so it can no longer be opened") from None
        except DecryptionFailed:
            raise ValueError("the value was sealed with another key than COOPREG_SECRET_ENCRYPTION_KEY; run "
                             "with the key the services had when they dead-lettered it") from None
    return LetterInFull(
        partition=record.partition, offset=record.offset, reason=_header(record, REASON),
        detail=mask_text(_header(record, DETAIL)), consumer=_header(record, CONSUMER),
        origin=f"{_header(record, ORIGIN_TOPIC)} partition {_header(record, ORIGIN_PARTITION)} offset "
               f"{_header(record, ORIGIN_OFFSET)}",
        failed_at=_header(record, FAILED_AT),
        key=mask_text(record.key.decode("utf-8", "replace")) if record.key else None,
        sealed=_header(record, SEALED) == "1" or letter_subject(record) is not None, size=len(record.value or b""),
        headers=[(k, mask_text(v.decode("utf-8", "replace"))) for k, v in original_headers(record.headers)],
        value=value)


def reasons(letters: list[DeadLetter]) -> Counter:
    return Counter(letter.reason for letter in letters)


async def replay(settings: Settings, topic: str, limit: int | None = None, idle_ms: int = 3000) -> int:
    await require_dlq(settings, topic)
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
            keys = await subject_keys(settings, [r for records in batch.values() for r in records])
            for records in batch.values():
                for record in records[: None if limit is None else limit - replayed]:
                    try:
                        value = original_value(record, cipher, keys)
                    except SubjectErased:
                        continue  # about an erased person: nothing to send back
                    await producer.send_and_wait(_header(record, ORIGIN_TOPIC), key=record.key,
                                                 value=value, headers=original_headers(record.headers))
                    replayed += 1
            await consumer.commit()
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed
