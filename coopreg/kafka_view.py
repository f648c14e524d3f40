"""The Kafka side for operators (`coopreg kafka topics | groups | dlq`), read through Kafka's admin API as
`kcat -L` and `kafka-consumer-groups --describe` would show it.

Only this deployment's topics are shown: those under its topic prefix (COOPREG_KAFKA_TOPIC_PREFIX), named
without it. Consumer groups are named by service, not by prefix, and one group may read several
deployments' topics on a shared cluster, so a group is shown by the partitions of this deployment's topics
it has committed or been assigned.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment

from shared.dead_letters import DLQ_SUFFIX, REASON
from shared.kafka import _security, topic_configs
from shared.settings import Settings

FOREVER = "-1"


@dataclass(frozen=True)
class TopicInfo:
    name: str  # without the deployment's prefix
    partitions: int
    replication: int
    cleanup: str
    retention_ms: int | None  # None: kept for ever
    messages: int  # end offsets minus beginning offsets, summed over the partitions


@dataclass(frozen=True)
class PartitionLag:
    topic: str
    partition: int
    committed: int | None  # None: the group has not committed on it yet
    end: int
    member: str  # the client id (and host) the partition is assigned to; "" when none

    @property
    def lag(self) -> int:
        return self.end - (self.committed or 0)


@dataclass(frozen=True)
class GroupInfo:
    group: str
    state: str
    members: int
    partitions: list[PartitionLag] = field(default_factory=list)

    @property
    def lag(self) -> int:
        return sum(p.lag for p in self.partitions)


@dataclass(frozen=True)
class DlqInfo:
    topic: str  # the original topic, without the prefix
    dead_letters: int  # currently kept (retention removes the oldest)
    reasons: Counter


class _Clients:
    """An admin client and a group-less consumer (for offsets), both closed on exit."""

    def __init__(self, settings: Settings) -> None:
        kafka = settings.kafka
        self.admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers, request_timeout_ms=10_000,
                                         **_security(kafka))
        self.consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, enable_auto_commit=False,
                                         request_timeout_ms=10_000, **_security(kafka))

    async def __aenter__(self) -> "_Clients":
        await self.admin.start()
        try:
            await self.consumer.start()
        except BaseException:
            await self.admin.close()
            raise
        return self

    async def __aexit__(self, *_exc) -> None:
        await self.consumer.stop()
        await self.admin.close()


def _ours(settings: Settings, names) -> dict[str, str]:
    """Full name -> shown name of this deployment's topics (Kafka's own internal ones left out)."""
    prefix = settings.kafka.topic_prefix
    return {name: name[len(prefix):] for name in names if name.startswith(prefix) and not name.startswith("__")}


async def existing_topics(settings: Settings) -> set[str]:
    """The names (without prefix) of this deployment's topics on the cluster."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers, request_timeout_ms=10_000,
                                **_security(settings.kafka))
    await admin.start()
    try:
        return set(_ours(settings, await admin.list_topics()).values())
    finally:
        await admin.close()


async def topics(settings: Settings) -> list[TopicInfo]:
    async with _Clients(settings) as clients:
        ours = _ours(settings, await clients.admin.list_topics())
        described = await clients.admin.describe_topics(sorted(ours))
        configs = await topic_configs(clients.admin, sorted(ours))
        partitions = [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]
        ends = await clients.consumer.end_offsets(partitions) if partitions else {}
        starts = await clients.consumer.beginning_offsets(partitions) if partitions else {}
        found = []
        for t in described:
            config = configs.get(t["topic"], {})
            retention = config.get("retention.ms", FOREVER)
            tps = [TopicPartition(t["topic"], p["partition"]) for p in t["partitions"]]
            found.append(TopicInfo(
                name=ours[t["topic"]], partitions=len(tps),
                replication=max((len(p["replicas"]) for p in t["partitions"]), default=0),
                cleanup=config.get("cleanup.policy", "?"),
                retention_ms=None if retention == FOREVER else int(retention),
                messages=sum(ends[tp] - starts[tp] for tp in tps)))
        return sorted(found, key=lambda t: t.name)


async def groups(settings: Settings) -> list[GroupInfo]:
    async with _Clients(settings) as clients:
        ours = _ours(settings, await clients.admin.list_topics())
        group_ids = sorted(g for g, protocol in await clients.admin.list_consumer_groups() if protocol == "consumer")
        found = []
        for group_id in group_ids:
            [response] = await clients.admin.describe_consumer_groups([group_id])
            [described] = response.to_object()["groups"]
            assigned = {}
            for member in described["members"]:
                if member["member_assignment"]:
                    who = f"{member['client_id']}{member['client_host']}"
                    for tp in ConsumerProtocolMemberAssignment.decode(member["member_assignment"]).partitions():
                        assigned[tp] = who
            committed = {tp: meta.offset for tp, meta in
                         (await clients.admin.list_consumer_group_offsets(group_id)).items()}
            tps = sorted({tp for tp in (*assigned, *committed) if tp.topic in ours})
            if not tps:
                continue  # a group of another deployment, or one that has neither members nor offsets here
            ends = await clients.consumer.end_offsets(tps)
            found.append(GroupInfo(
                group=group_id, state=described["state"],
                members=len({m["member_id"] for m in described["members"]
                             if any(tp in tps for tp in _member_partitions(m))}),
                partitions=[PartitionLag(ours[tp.topic], tp.partition, committed.get(tp), ends[tp],
                                         assigned.get(tp, "")) for tp in tps]))
        return found


def _member_partitions(member: dict) -> list[TopicPartition]:
    if not member["member_assignment"]:
        return []
    return ConsumerProtocolMemberAssignment.decode(member["member_assignment"]).partitions()


async def dead_letter_queues(settings: Settings, read_timeout: float = 20.0) -> list[DlqInfo]:
    """Every DLQ of this deployment with its dead letters counted by reason (the header, not the value:
    nothing sealed is opened)."""
    import time

    async with _Clients(settings) as clients:
        ours = {full: shown for full, shown in _ours(settings, await clients.admin.list_topics()).items()
                if full.endswith(DLQ_SUFFIX)}
        described = await clients.admin.describe_topics(sorted(ours))
        tps = [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]
        ends = await clients.consumer.end_offsets(tps) if tps else {}
        starts = await clients.consumer.beginning_offsets(tps) if tps else {}
        reasons: dict[str, Counter] = {full: Counter() for full in ours}
        waiting = {tp for tp in tps if ends[tp] > starts[tp]}
        if waiting:
            clients.consumer.assign(sorted(waiting))
            for tp in waiting:
                clients.consumer.seek(tp, starts[tp])
            deadline = time.monotonic() + read_timeout
            while waiting and time.monotonic() < deadline:
                for tp, records in (await clients.consumer.getmany(timeout_ms=500, max_records=5000)).items():
                    for record in records:
                        reason = next((v.decode() for k, v in record.headers if k == REASON), "?")
                        reasons[tp.topic][reason] += 1
                    if records and records[-1].offset + 1 >= ends[tp]:
                        waiting.discard(tp)
            if waiting:
                raise TimeoutError(f"the DLQs were not read to their end within {read_timeout:g} s; is Kafka "
                                   "busy? Try again, or `coopreg dlq list <topic>` for one of them")
        return sorted((DlqInfo(ours[full].removesuffix(DLQ_SUFFIX),
                               sum(ends[tp] - starts[tp] for tp in tps if tp.topic == full), reasons[full])
                       for full in ours), key=lambda d: d.topic)


async def not_consuming(settings: Settings, wanted: dict[str, str], wait_seconds: float = 10.0) -> dict[str, str]:
    """Of `wanted` (consumer group -> topic without prefix), the groups that have no member assigned to the
    topic, after waiting up to `wait_seconds` for a rebalance to settle: a service that is down shows here
    at once, instead of as counters that never move."""
    import asyncio
    import time

    deadline = time.monotonic() + wait_seconds
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers, request_timeout_ms=10_000,
                                **_security(settings.kafka))
    await admin.start()
    try:
        while True:
            missing = {}
            for group, topic in wanted.items():
                [response] = await admin.describe_consumer_groups([group])
                [described] = response.to_object()["groups"]
                full = settings.kafka.topic(topic)
                if not any(tp.topic == full for m in described["members"] for tp in _member_partitions(m)):
                    missing[group] = topic
            if not missing or time.monotonic() >= deadline:
                return missing
            await asyncio.sleep(1)
    finally:
        await admin.close()
