"""The fault injector: SIGKILLed and SIGSTOPped service processes (the register API's too), a broker
restarted cleanly and with SIGKILL, the database stopped in fast and in immediate mode, the network to
Kafka and PostgreSQL slowed, reset and blackholed through Toxiproxy, and two faults at once — at seeded
random moments while the services consume.

Faults run one after another, each until the system is back (process ready, port open, toxic removed), so
every fault meets a system under load rather than one still recovering from the previous fault; a
`two_at_once` fault is two of them together. The broker faults hold the publishing gate: POS systems
buffer while Kafka is away, and resume after it.
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from coopreg.chaos.config import FaultCounts
from coopreg.chaos.fleet import Fleet
from coopreg.chaos.proxy import FaultProxy
from coopreg.stack import Stack

log = logging.getLogger(__name__)

# aiokafka's default consumer session timeout: a member silent for longer is taken out of its group.
SESSION_TIMEOUT_SECONDS = 10.0
# What `two_at_once` combines: faults that can meet each other (not two of the broker, say).
PAIRABLE = ("kill", "pause", "net_latency", "net_reset", "net_blackhole", "postgres_restart", "kafka_restart")


@dataclass(frozen=True)
class Fault:
    kind: str
    at: float  # seconds after the injector starts
    target: str | None = None  # the service a kill is for; otherwise chosen when it happens


@dataclass
class Injected:
    kind: str
    target: str
    at: float
    seconds: float


def plan_faults(counts: FaultCounts, window: float, rng: random.Random,
                services: tuple[str, ...] = ("purchases", "bonus")) -> list[Fault]:
    """The seeded schedule: which fault when. `kill_services` kills go round `services` in a seeded order."""
    round_robin = list(services)
    rng.shuffle(round_robin)
    faults: list[tuple[str, str | None]] = []  # (kind, the service a kill is for)
    faults += [("kill", "purchases")] * counts.kill_purchases + [("kill", "bonus")] * counts.kill_bonus
    faults += [("kill", round_robin[n % len(round_robin)]) for n in range(counts.kill_services)]
    for kind in ("kafka_restart", "kafka_kill", "postgres_restart", "postgres_kill", "leave_and_join", "pause",
                 "net_latency", "net_reset", "net_blackhole", "two_at_once"):
        faults += [(kind, None)] * getattr(counts, kind)
    rng.shuffle(faults)
    times = sorted(rng.uniform(1, window) for _ in faults)
    return [Fault(kind, round(at, 1), target) for (kind, target), at in zip(faults, times, strict=True)]


def by_kind(injected: list[Injected]) -> dict[str, int]:
    return dict(sorted(Counter(fault.kind for fault in injected).items()))


@dataclass
class FaultInjector:
    fleet: Fleet
    stack: Stack | None
    gate: asyncio.Lock
    rng: random.Random
    say: Callable[[str], object] = print
    broker_outage_seconds: float = 50.0
    proxy: FaultProxy | None = None
    injected: list[Injected] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    async def run(self, plan: list[Fault]) -> None:
        self.started = time.monotonic()
        for fault in plan:
            await asyncio.sleep(max(0.0, self.started + fault.at - time.monotonic()))
            began = time.monotonic()
            self.record(fault.kind, await self.inject(fault.kind, fault.target), began)

    async def inject(self, kind: str, target: str | None = None) -> str:
        if kind == "kill":
            return await self.kill(target or self.rng.choice(self.fleet.names))
        return await getattr(self, kind)()

    def record(self, kind: str, target: str, began: float) -> None:
        back = time.monotonic() - began
        self.injected.append(Injected(kind, target, round(began - self.started, 1), round(back, 1)))
        self.say(f"fault {len(self.injected)}: {kind} {target} at {began - self.started:.0f} s, "
                 f"back after {back:.1f} s")

    async def kill(self, service: str) -> str:
        member = self.fleet.pick(service, self.rng)
        if member is None:
            return f"{service} (none up)"
        await self.fleet.kill_and_restart(member, pause=self.rng.uniform(0.2, 2.0))
        return member.label

    async def pause(self) -> str:
        """SIGSTOP an instance past the session timeout, then SIGCONT it: a zombie consumer."""
        member = self.fleet.pick(self.rng.choice(self.fleet.names), self.rng)
        if member is None:
            return "none up"
        seconds = self.rng.uniform(SESSION_TIMEOUT_SECONDS + 2, SESSION_TIMEOUT_SECONDS * 2)
        await self.fleet.suspend_and_resume(member, seconds)
        return f"{member.label} {seconds:.0f} s"

    def _dedicated_stack(self) -> Stack:
        """The broker and the database to restart: a run plans their faults only on a stack of its own
        (run_chaos refuses them without one)."""
        if self.stack is None:
            raise RuntimeError("broker and database faults need a dedicated stack")
        return self.stack

    def _proxy(self) -> FaultProxy:
        """The proxy the services reach the stack through: a run plans network faults only behind it."""
        if self.proxy is None:
            raise RuntimeError("network faults need a dedicated stack behind the fault proxy")
        return self.proxy

    async def _restart_kafka(self, hard: bool) -> str:
        kafka = self._dedicated_stack().kafka
        async with self.gate:
            await asyncio.to_thread(kafka.stop, lambda _: None, hard)
            await asyncio.sleep(self.broker_outage_seconds if hard else self.rng.uniform(1.0, 4.0))
            return await self._start_kafka(kafka)

    async def _start_kafka(self, kafka) -> str:
        """A broker that does not come back in time is killed and started once more, as its operator would:
        the faults are there to try the register, not the broker's own start (it hung once in CI, on a busy
        machine, after a clean stop; the warning keeps the end of what it logged)."""
        try:
            await asyncio.to_thread(kafka.start, lambda _: None)
            return "kafka"
        except RuntimeError as error:
            log.warning("kafka did not come back, so killed and started again: %s", error)
            self.say("kafka did not come back in time; killed and started again")
            await asyncio.to_thread(kafka.stop, lambda _: None, True)
            await asyncio.to_thread(kafka.start, lambda _: None)
            return "kafka (started twice)"

    async def kafka_restart(self) -> str:
        return await self._restart_kafka(hard=False)

    async def kafka_kill(self) -> str:
        return await self._restart_kafka(hard=True)

    async def _restart_postgres(self, mode: str) -> str:
        postgres = self._dedicated_stack().postgres
        await asyncio.to_thread(postgres.stop, lambda _: None, mode)
        await asyncio.sleep(self.rng.uniform(1.0, 4.0))
        await asyncio.to_thread(postgres.start, lambda _: None)
        return "postgres"

    async def postgres_restart(self) -> str:
        return await self._restart_postgres("fast")

    async def postgres_kill(self) -> str:
        return await self._restart_postgres("immediate")

    async def _toxic(self, kind: str, attributes: dict, seconds: float, streams: tuple[str, ...]) -> str:
        """A toxic on every connection to Kafka or PostgreSQL for `seconds`, then removed."""
        target, proxy = self.rng.choice(("kafka", "postgres")), self._proxy()
        added = [await proxy.add(target, kind, attributes, stream) for stream in streams]
        try:
            await asyncio.sleep(seconds)
        finally:
            for toxic in added:
                await proxy.remove(target, toxic)
        return f"{target} {seconds:.0f} s"

    async def net_latency(self) -> str:
        latency = self.rng.randrange(200, 1500)
        return await self._toxic("latency", {"latency": latency, "jitter": latency // 5},
                                 self.rng.uniform(5, 15), ("upstream", "downstream"))

    async def net_reset(self) -> str:
        """Every connection reset by peer as soon as it carries data, for a few seconds."""
        return await self._toxic("reset_peer", {"timeout": 0}, self.rng.uniform(2, 6), ("upstream",))

    async def net_blackhole(self) -> str:
        """Everything sent either way dropped, connections left open; closed when it ends."""
        return await self._toxic("timeout", {"timeout": 0}, self.rng.uniform(5, 15), ("upstream", "downstream"))

    async def two_at_once(self) -> str:
        pool = [kind for kind in PAIRABLE if self.proxy is not None or not kind.startswith("net_")]
        first, second = self.rng.sample(pool, 2)
        targets = await asyncio.gather(self.inject(first), self.inject(second))
        return f"{first} {targets[0]} + {second} {targets[1]}"

    async def leave_and_join(self) -> str:
        """One instance leaves its groups (rebalance), and a moment later joins again (rebalance)."""
        service = self.rng.choice(self.fleet.services)
        member = self.fleet.pick(service, self.rng)
        if member is None:
            return f"{service} (none up)"
        await self.fleet.leave(member)
        await asyncio.sleep(self.rng.uniform(1.0, 3.0))
        await self.fleet.restart(member)
        return member.label
