"""Knowing, from outside, that the register has applied what was sent, and what it refused.

A tool that feeds the register (the demo, `coopreg simulate month`) waits the way an operator would: from
the services' own `/metrics` (the outbox backlog of each, and the consumers each runs) and from Kafka (each
consumer group's committed offsets against the end of its topic), never from the services' tables. A
service commits an offset only after the transaction that applied the message, and publishes through an
outbox, so once every service's outbox is empty and every consumer group has committed up to the end of its
topic — twice in a row, read upstream first — everything sent has been applied or dead-lettered, and what
it caused has been published and applied in turn.

What was refused is on the dead-letter topics: `DeadLetterWatch` notes where each `<topic>.dlq` ends
before a run and reads what was added after it.
"""
from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from rich.progress import Progress

from contracts.topics import ALL, Topic
from services.registry import SERVICES
from shared.dead_letters import REASON, dlq_topic
from shared.settings import Settings


@dataclass(frozen=True)
class ServiceLoad:
    """What a service still has to do: its outbox backlog, and its consumers as (group, topic) pairs."""

    service: str
    outbox_backlog: int
    consumers: tuple[tuple[str, str], ...]


def _labels(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.replace('"', "").split(",") if "=" in part)


def parse_metrics(service: str, text: str) -> ServiceLoad:
    """The outbox backlog and the (group, topic) of every consumer from a service's Prometheus text."""
    backlog, consumers = 0, []
    for line in text.splitlines():
        if line.startswith("coopreg_outbox_backlog"):
            backlog = int(float(line.rsplit(" ", 1)[1]))
        elif line.startswith("coopreg_messages_consumed_total{"):
            labels = _labels(line[line.index("{") + 1:line.rindex("}")])
            consumers.append((labels["consumer"], labels["topic"]))
    return ServiceLoad(service, backlog, tuple(consumers))


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


async def service_loads(settings: Settings) -> list[ServiceLoad]:
    """Every service's load from its /metrics, in registry order (upstream first); the services are where
    the register API asks them (COOPREG_API_SERVICE_URLS, by default where `coopreg services up` starts them)."""
    loads = []
    for name in SERVICES:
        url = f"{settings.api.service_urls[name].rstrip('/')}/metrics"
        try:
            loads.append(parse_metrics(name, await asyncio.to_thread(_get, url)))
        except OSError as error:
            raise LookupError(f"the {name} service does not answer at {url} ({error}); start the services "
                              "with `coopreg services up`") from None
    return loads


class Settling:
    """Whether the register is done with everything it was sent (see the module's description)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers,
                                         enable_auto_commit=False)

    async def __aenter__(self) -> "Settling":
        await self.admin.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def lag(self, group: str, topic: str) -> int:
        """Messages of `topic` the group has not committed past; a partition it never committed counts from
        its beginning (the services read from the earliest offset)."""
        partitions = [TopicPartition(topic, p) for p in self.consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            await self.consumer._client.force_metadata_update()
            partitions = [TopicPartition(topic, p) for p in self.consumer.partitions_for_topic(topic) or ()]
        if not partitions:
            return 0
        committed = {tp: meta.offset for tp, meta in (await self.admin.list_consumer_group_offsets(group)).items()
                     if tp.topic == topic and meta.offset >= 0}
        end = await self.consumer.end_offsets(partitions)
        start = await self.consumer.beginning_offsets(partitions)
        return sum(max(end[tp] - committed.get(tp, start[tp]), 0) for tp in partitions)

    async def outstanding(self) -> int:
        """Outbox rows not yet published plus messages not yet committed, over every service."""
        total = 0
        for load in await service_loads(self.settings):
            total += load.outbox_backlog
            for group, topic in load.consumers:
                total += await self.lag(group, topic)
        return total

    async def wait(self, bar: Progress | None = None, description: str = "applied by the register",
                   timeout: float = 900) -> None:
        """Until nothing is outstanding twice in a row (a consumer may be between two services' reads)."""
        task = bar.add_task(description, total=None) if bar else None
        deadline, quiet, outstanding = time.monotonic() + timeout, 0, -1
        while time.monotonic() < deadline:
            outstanding = await self.outstanding()
            quiet = quiet + 1 if outstanding == 0 else 0
            if bar is not None and task is not None:
                bar.update(task, description=f"{description} ({outstanding:,} to go)")
            if quiet >= 2:
                if bar is not None and task is not None:
                    bar.update(task, total=1, completed=1, description=description)
                return
            await asyncio.sleep(0.5 if outstanding else 0.2)
        raise TimeoutError(f"{description}: {outstanding} messages still outstanding after {timeout:.0f} s; "
                           "are the services running?")


@dataclass(frozen=True)
class DeadLetterSeen:
    """A dead letter written during a run: its DLQ, its Kafka key (the original's) and the reason."""

    topic: str
    key: str
    reason: str


class DeadLetterWatch:
    """Where every topic's DLQ ends when the run starts, so the run can read exactly what it added."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.names = [settings.kafka.topic(dlq_topic(topic.name)) for topic in ALL]
        self.start: dict[TopicPartition, int] = {}

    def _consumer(self) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(bootstrap_servers=self.settings.kafka.bootstrap_servers, group_id=None,
                                enable_auto_commit=False)

    async def _partitions(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        await consumer._client.force_metadata_update()
        return [TopicPartition(name, p) for name in self.names for p in consumer.partitions_for_topic(name) or ()]

    async def begin(self) -> "DeadLetterWatch":
        consumer = self._consumer()
        await consumer.start()
        try:
            partitions = await self._partitions(consumer)
            self.start = dict(await consumer.end_offsets(partitions)) if partitions else {}
        finally:
            await consumer.stop()
        return self

    async def added(self) -> list[DeadLetterSeen]:
        """Every dead letter written since `begin`."""
        consumer = self._consumer()
        await consumer.start()
        try:
            partitions = await self._partitions(consumer)
            if not partitions:
                return []
            end = await consumer.end_offsets(partitions)
            todo = {tp: end[tp] for tp in partitions if end[tp] > self.start.get(tp, 0)}
            if not todo:
                return []
            consumer.assign(list(todo))
            for tp in todo:
                consumer.seek(tp, self.start.get(tp, 0))
            seen: list[DeadLetterSeen] = []
            deadline = time.monotonic() + 60
            while todo and time.monotonic() < deadline:
                for tp, records in (await consumer.getmany(timeout_ms=500, max_records=5000)).items():
                    for r in records:
                        if r.offset < todo.get(tp, 0):
                            seen.append(DeadLetterSeen(_original(tp.topic, self.settings), (r.key or b"").decode(),
                                                       dict(r.headers).get(REASON, b"").decode()))
                    if records and records[-1].offset + 1 >= todo.get(tp, 0):
                        todo.pop(tp, None)
            return seen
        finally:
            await consumer.stop()


def _original(dlq: str, settings: Settings) -> str:
    """The DLQ's name without the deployment's prefix, as operators name it (`coopreg dlq list`)."""
    prefix = settings.kafka.topic_prefix
    return dlq[len(prefix):] if prefix and dlq.startswith(prefix) else dlq


def dead_letter_counts(letters: list[DeadLetterSeen]) -> dict[str, int]:
    """Dead letters per DLQ, for every fixed topic's DLQ (zero included)."""
    counts = {dlq_topic(topic.name): 0 for topic in ALL}
    for letter in letters:
        counts[letter.topic] = counts.get(letter.topic, 0) + 1
    return counts


class TopicFollower:
    """A topic read from where it ended on entering: what a run caused to be published on it."""

    def __init__(self, settings: Settings, topic: Topic) -> None:
        self.name = settings.kafka.topic(topic.name)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, group_id=None,
                                         enable_auto_commit=False)
        self.records: list = []

    async def __aenter__(self) -> "TopicFollower":
        await self.consumer.start()
        await self.consumer._client.force_metadata_update()
        partitions = [TopicPartition(self.name, p) for p in self.consumer.partitions_for_topic(self.name) or ()]
        if not partitions:
            await self.consumer.stop()
            raise LookupError(f"the topic {self.name} does not exist; start the services first")
        self.consumer.assign(partitions)
        for tp, offset in (await self.consumer.end_offsets(partitions)).items():
            self.consumer.seek(tp, offset)
        return self

    async def __aexit__(self, *exc) -> None:
        await self.consumer.stop()

    async def _fetch(self) -> list:
        fetched = [r for records in (await self.consumer.getmany(timeout_ms=300, max_records=5000)).values()
                   for r in records]
        self.records += fetched
        return fetched

    async def until(self, found, timeout: float) -> None:
        """Read on until a record for which `found(record)` is true arrives."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(found(r) for r in await self._fetch()):
                return
        raise TimeoutError(f"nothing awaited on {self.name} after {timeout:.0f} s; are the services running?")

    async def read_to_end(self) -> list:
        """Every record since entering, up to the topic's end now."""
        end = await self.consumer.end_offsets(list(self.consumer.assignment()))
        while [tp for tp, offset in end.items() if await self.consumer.position(tp) < offset]:
            await self._fetch()
        return self.records
