"""The search: every table of every schema, every topic, the services' log files and the dead letters, for
the person's identifiers.

Tables are read as the operator (the database's owner), each row cast to text. Topics are read from their
beginning; a compacted topic only as compaction promises to keep it (the latest value per key; a tombstone's
key is the erasure's own signal and not searched). A value sealed for a person counts only if it can still be
opened with the key store (`shared.subject_keys`); a dead letter is opened as `coopreg dlq show --open` opens
it, and searched before masking."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from contracts.topics import BY_NAME, segment_ms
from coopreg.prove.needles import Needles
from shared.crypto import FieldCipher
from shared.dead_letters import DLQ_SUFFIX, letter_subject, original_value
from shared.settings import Settings
from shared.subject_keys import HEADER, SubjectErased, SubjectKeys, sealed_for, unseal

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
TABLES = """
SELECT n.nspname AS schema, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname <> ALL($1::text[])
  AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1, 2"""


@dataclass
class Hit:
    """Identifiers of a person found in one place (a table, a topic, a log file, a dead-letter topic)."""

    place: str  # table | topic | log | dead_letter
    where: str
    kinds: set[str] = field(default_factory=set)
    count: int = 0
    # delete topics: when the newest record found is gone by the topic's retention
    expires_by: datetime | None = None
    subject: str = ""  # whose identifiers (Needles.of_many): "" for a search for one person

    def as_json(self) -> dict:
        found = {"place": self.place, "where": self.where, "kinds": sorted(self.kinds), "count": self.count}
        if self.expires_by is not None:
            found["expires_by"] = self.expires_by.isoformat(timespec="seconds")
        return found


@dataclass
class Place:
    """What one place holds of each person searched for: a hit per person."""

    place: str
    where: str
    by_subject: dict[str, Hit] = field(default_factory=dict)

    def add(self, found: dict[str, set[str]], expires_by: datetime | None = None) -> None:
        for subject, kinds in found.items():
            hit = self.by_subject.setdefault(subject, Hit(self.place, self.where, subject=subject))
            hit.kinds |= kinds
            hit.count += 1
            if expires_by is not None:
                hit.expires_by = max(hit.expires_by or expires_by, expires_by)

    def hits(self) -> list[Hit]:
        return list(self.by_subject.values())


@dataclass
class Searched:
    hits: list[Hit]
    tables: int = 0
    topics: int = 0
    logs: int = 0
    dead_letter_topics: int = 0
    sealed_unopenable: int = 0


async def search_tables(conn, needles: Needles) -> tuple[list[Hit], int]:
    """Every row of every table outside the system schemas, as text (a partitioned table through its parent)."""
    hits, tables = [], await conn.fetch(TABLES, list(SYSTEM_SCHEMAS))
    for table in tables:
        place = Place("table", f"{table['schema']}.{table['name']}")
        async with conn.transaction():
            cursor = conn.cursor(f'SELECT t::text FROM "{table["schema"]}"."{table["name"]}" t', prefetch=1000)
            async for row in cursor:
                if found := needles.found_in(row[0]):
                    place.add(found)
        hits += place.hits()
    return hits, len(tables)


def is_compacted(name: str) -> bool:
    topic = BY_NAME.get(name)
    return name.startswith("marketing.segment.") or (topic is not None and topic.cleanup == "compact")


def expiry(name: str, timestamp_ms: int, dlq_retention_ms: int) -> datetime | None:
    """When a record of a delete topic is gone at the latest: its retention, plus one segment's roll."""
    if name.endswith(DLQ_SUFFIX):
        retention = dlq_retention_ms
    elif (topic := BY_NAME.get(name)) is not None and topic.cleanup == "delete" and topic.retention_ms > 0:
        retention = topic.retention_ms
    else:
        return None
    return datetime.fromtimestamp((timestamp_ms + retention + segment_ms(retention)) / 1000, timezone.utc)


async def read_topics(settings: Settings) -> dict[str, list]:
    """Every record of every topic of this run's prefix, from the beginning to the end it had when read."""
    return {name: records async for name, records in each_topic(settings)}


async def each_topic(settings: Settings) -> AsyncIterator[tuple[str, list]]:
    """Every topic of this run's prefix (its name without the prefix), one at a time, each from its beginning
    to the end it had when read: a 100,000-receipt chaos run's topics held together took 3 GB."""
    prefix = settings.kafka.topic_prefix
    # a fetch that finds nothing returns at once: topics are read one after another, most of them short
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest", fetch_max_wait_ms=10)
    await consumer.start()
    try:
        names = sorted(t for t in await consumer.topics() if t.startswith(prefix))
        if not names:
            return
        # subscribed without a group, the consumer is given every partition once it has their metadata;
        # all paused, and each topic's resumed while it is read, so only that topic is fetched
        consumer.subscribe(topics=names)
        deadline = time.monotonic() + 30
        while {tp.topic for tp in consumer.assignment()} != set(names):
            if time.monotonic() > deadline:
                raise TimeoutError("the topics' partitions were not known within 30 s; is Kafka running?")
            await asyncio.sleep(0.1)
        consumer.pause(*consumer.assignment())
        for name in names:
            yield name.removeprefix(prefix), await _whole(consumer, name)
    finally:
        await consumer.stop()


async def _whole(consumer: AIOKafkaConsumer, topic: str) -> list:
    partitions = sorted(tp for tp in consumer.assignment() if tp.topic == topic)
    consumer.resume(*partitions)
    await consumer.seek_to_beginning(*partitions)
    ends = await consumer.end_offsets(partitions)
    records: list = []
    pending = {tp for tp in partitions if ends[tp] > 0}
    while pending:
        batch = await consumer.getmany(*pending, timeout_ms=500, max_records=5000)
        for items in batch.values():
            records.extend(items)
        pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
    consumer.pause(*partitions)
    return records


def latest_per_key(records: list) -> list:
    latest = {}
    for record in records:
        latest[(record.partition, record.key)] = record
    return list(latest.values())


async def search_topics(conn, settings: Settings, needles: Needles, records_by_topic: dict[str, list]) -> Searched:
    cipher = FieldCipher(settings.secrets.encryption_key.get_secret_value())
    keys = SubjectKeys(cipher)
    searched = Searched([])
    dlq_retention_ms = settings.kafka.dlq_retention_days * 24 * 3600 * 1000
    subjects = sorted({s for records in records_by_topic.values() for r in records
                       if (s := sealed_for(r.headers) or letter_subject(r))})
    opened_keys = await keys.keys_of(conn, subjects) if subjects else {}
    for name, records in sorted(records_by_topic.items()):
        dead_letters = name.endswith(DLQ_SUFFIX)
        searched.dead_letter_topics += dead_letters
        searched.topics += not dead_letters
        compacted = is_compacted(name)
        place = Place("dead_letter" if dead_letters else "topic", name)
        for record in latest_per_key(records) if compacted else records:
            if compacted and record.value is None:
                continue  # a tombstone: its key tells consumers to forget it
            value, unopenable = _opened(record, dead_letters, cipher, opened_keys)
            searched.sealed_unopenable += unopenable
            headers = b"\n".join(v for k, v in record.headers or () if k != HEADER and v)
            if found := needles.found_in(record.key, headers, value):
                place.add(found, expiry(name, record.timestamp, dlq_retention_ms))
        searched.hits += place.hits()
    return searched


def _opened(record, dead_letter: bool, cipher: FieldCipher, keys: dict[str, bytes]) -> tuple[bytes | None, int]:
    """The value as anyone holding the register's keys could read it; (None, 1) when it cannot be opened."""
    if record.value is None:
        return None, 0
    try:
        if dead_letter:
            return original_value(record, cipher, keys), 0
        if subject := sealed_for(record.headers):
            if subject not in keys:
                return None, 1
            return unseal(keys[subject], subject, record.value), 0
    except SubjectErased:
        return None, 1
    return record.value, 0


def search_logs(paths: list[Path], needles: Needles) -> list[Hit]:
    hits = []
    for path in paths:
        place = Place("log", path.name)
        with open(path, "rb") as log:
            for line in log:
                if found := needles.found_in(line):
                    place.add(found)
        hits += place.hits()
    return hits

