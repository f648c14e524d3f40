"""Live POS traffic at a chosen rate for a simulated population, with counters read from the register
itself: receipts sent, receipts stored (the purchases schema), accepted purchases published
(`purchases.accepted.v1`) and dead letters (`pos.purchases.v1.dlq`) of this run."""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

import asyncpg
from aiokafka import AIOKafkaConsumer

from contracts.envelope import Envelope
from contracts.topics import POS_PURCHASES, PURCHASES_ACCEPTED
from coopreg.client import RegisterClient
from coopreg.simulate.month import household_receipt
from coopreg.simulate.population import Household
from coopreg.topic_reading import assigned_partitions
from services.purchases.adapters.reads import receipts_seen_since
from shared.dead_letters import dlq_topic
from shared.settings import Settings

NOT_JSON = b"{this is not a receipt"


@dataclass
class Counters:
    sent: int = 0
    invalid_sent: int = 0
    stored: int = 0
    accepted_published: int = 0
    dead_lettered: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


class RunCounter:
    """Counts the records of this run (their key starts with the run's prefix) that arrive on a topic from
    the moment it starts."""

    def __init__(self, settings: Settings, topic: str, prefix: str) -> None:
        self.name, self.prefix = settings.kafka.topic(topic), prefix.encode()
        self.consumer = AIOKafkaConsumer(self.name, bootstrap_servers=settings.kafka.bootstrap_servers,
                                         group_id=None, enable_auto_commit=False)
        self.count = 0

    async def start(self) -> None:
        await self.consumer.start()
        partitions = await assigned_partitions(self.consumer)
        if not partitions:
            await self.consumer.stop()
            raise LookupError(f"the topic {self.name} does not exist; start the services first (`coopreg services up`)")
        for partition, offset in (await self.consumer.end_offsets(partitions)).items():
            self.consumer.seek(partition, offset)

    async def poll(self) -> int:
        for records in (await self.consumer.getmany(timeout_ms=0, max_records=10000)).values():
            self.count += sum(1 for r in records if r.key is not None and r.key.startswith(self.prefix))
        return self.count

    async def stop(self) -> None:
        await self.consumer.stop()


def live_receipt(rng: random.Random, household: Household, receipt_id: str):
    """A receipt of a household member bought now."""
    return household_receipt(rng, household, receipt_id, rng.randint(800, 12000),
                             lambda _: datetime.now(timezone.utc))


class Traffic:
    """Receipts at `rate` per second for `seconds`; a share `invalid` of them malformed (to the DLQ)."""

    def __init__(self, settings: Settings, households: list[Household], run: str, rate: int, seconds: float,
                 invalid: float = 0.0, seed: int = 13) -> None:
        self.settings, self.households, self.run = settings, households, run
        self.rate, self.total, self.invalid = rate, int(rate * seconds), invalid
        self.rng = random.Random(seed)
        self.counters = Counters()
        self.started_at = datetime.now(timezone.utc) - timedelta(minutes=1)
        self.accepted = RunCounter(settings, PURCHASES_ACCEPTED.name, f"{run}-")
        self.dead = RunCounter(settings, dlq_topic(POS_PURCHASES.name), f"{run}-")

    async def __aenter__(self) -> "Traffic":
        await self.accepted.start()
        try:
            await self.dead.start()
        except BaseException:
            await self.accepted.stop()
            raise
        return self

    async def __aexit__(self, *exc) -> None:
        await self.accepted.stop()
        await self.dead.stop()

    async def refresh(self, conn: asyncpg.Connection) -> Counters:
        self.counters.stored = await receipts_seen_since(conn, f"{self.run}-%", self.started_at)
        self.counters.accepted_published = await self.accepted.poll()
        self.counters.dead_lettered = await self.dead.poll()
        return self.counters

    async def _send_one(self, client: RegisterClient, n: int) -> None:
        receipt_id = f"{self.run}-t{n}"
        if self.rng.random() < self.invalid:
            await client.send_raw(POS_PURCHASES, NOT_JSON, receipt_id.encode(),
                                  Envelope(source="coopreg/simulate", type=POS_PURCHASES.event_type).headers())
            self.counters.invalid_sent += 1
        else:
            receipt = live_receipt(self.rng, self.households[n % len(self.households)], receipt_id)
            await client.send(POS_PURCHASES, receipt_id, receipt)
        self.counters.sent += 1

    async def send(self, client: RegisterClient) -> float:
        """Send at the rate (never faster; a slow moment is caught up); returns the seconds it took."""
        start = time.perf_counter()
        for n in range(self.total):
            await self._send_one(client, n)
            ahead = start + (n + 1) / self.rate - time.perf_counter()
            if ahead > 0:
                await client.flush()
                await asyncio.sleep(ahead)
        await client.flush()
        return time.perf_counter() - start

    def settled(self) -> bool:
        """Every valid receipt stored and its accepted purchase published, every malformed one dead-lettered."""
        c = self.counters
        valid = c.sent - c.invalid_sent
        return c.stored >= valid and c.accepted_published >= valid and c.dead_lettered >= c.invalid_sent
