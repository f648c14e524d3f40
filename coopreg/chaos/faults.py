"""The fault injector: SIGKILLed service processes, a broker restarted cleanly and with SIGKILL, the
database stopped in immediate mode — at seeded random moments while the services consume.

Faults run one after another, each until the system is back (process ready, port open), so every fault
meets a system under load rather than one still recovering from the previous fault. The broker faults
hold the publishing gate: POS systems buffer while Kafka is away, and resume after it.
"""
from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field

from coopreg.chaos.config import FaultCounts
from coopreg.chaos.fleet import Fleet
from coopreg.stack import Stack


@dataclass(frozen=True)
class Fault:
    kind: str
    at: float  # seconds after the injector starts


@dataclass
class Injected:
    kind: str
    target: str
    at: float
    seconds: float


def plan_faults(counts: FaultCounts, window: float, rng: random.Random) -> list[Fault]:
    kinds = (["kill_purchases"] * counts.kill_purchases + ["kill_bonus"] * counts.kill_bonus
             + ["kafka_restart"] * counts.kafka_restart + ["kafka_kill"] * counts.kafka_kill
             + ["postgres_restart"] * counts.postgres_restart + ["leave_and_join"] * counts.leave_and_join)
    rng.shuffle(kinds)
    times = sorted(rng.uniform(1, window) for _ in kinds)
    return [Fault(kind, round(at, 1)) for kind, at in zip(kinds, times, strict=True)]


@dataclass
class FaultInjector:
    fleet: Fleet
    stack: Stack | None
    gate: asyncio.Lock
    rng: random.Random
    say: object = print
    broker_outage_seconds: float = 50.0
    injected: list[Injected] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    async def run(self, plan: list[Fault]) -> None:
        self.started = time.monotonic()
        for fault in plan:
            await asyncio.sleep(max(0.0, self.started + fault.at - time.monotonic()))
            began = time.monotonic()
            self.record(fault.kind, await getattr(self, fault.kind)(), began)

    def record(self, kind: str, target: str, began: float) -> None:
        back = time.monotonic() - began
        self.injected.append(Injected(kind, target, round(began - self.started, 1), round(back, 1)))
        self.say(f"fault {len(self.injected)}: {kind} {target} at {began - self.started:.0f} s, "
                 f"back after {back:.1f} s")

    async def _kill(self, service: str) -> str:
        member = self.fleet.pick(service, self.rng)
        await self.fleet.kill_and_restart(member, pause=self.rng.uniform(0.2, 2.0))
        return member.instance

    async def kill_purchases(self) -> str:
        return await self._kill("purchases")

    async def kill_bonus(self) -> str:
        return await self._kill("bonus")

    async def _restart_kafka(self, hard: bool) -> str:
        async with self.gate:
            await asyncio.to_thread(self.stack.kafka.stop, lambda _: None, hard)
            await asyncio.sleep(self.broker_outage_seconds if hard else self.rng.uniform(1.0, 4.0))
            await asyncio.to_thread(self.stack.kafka.start, lambda _: None)
        return "kafka"

    async def kafka_restart(self) -> str:
        return await self._restart_kafka(hard=False)

    async def kafka_kill(self) -> str:
        return await self._restart_kafka(hard=True)

    async def postgres_restart(self) -> str:
        await asyncio.to_thread(self.stack.postgres.stop, lambda _: None, "immediate")
        await asyncio.sleep(self.rng.uniform(1.0, 4.0))
        await asyncio.to_thread(self.stack.postgres.start, lambda _: None)
        return "postgres"

    async def leave_and_join(self) -> str:
        """One instance leaves its groups (rebalance), and a moment later joins again (rebalance)."""
        service = self.rng.choice(self.fleet.services)
        member = self.fleet.pick(service, self.rng)
        await self.fleet.leave(member)
        await asyncio.sleep(self.rng.uniform(1.0, 3.0))
        await self.fleet.restart(member)
        return member.instance
