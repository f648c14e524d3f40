"""The services under test as real processes: several instances of each, killed and restarted on demand.

A watchdog restarts an instance that exited on its own (a service that cannot reach its broker at start
gives up, as in production where the orchestrator restarts it); such exits are counted in the report.
"""
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

from coopreg.bench.environment import ServiceUnderTest

SERVICES = ("purchases", "bonus")


@dataclass
class Fleet:
    log_dir: str
    instances: int = 1
    services: tuple[str, ...] = SERVICES
    exits: int = 0
    members: dict[str, list[ServiceUnderTest]] = field(default_factory=dict)
    _intended_down: set[str] = field(default_factory=set)

    def start(self) -> None:
        for name in self.services:
            self.members[name] = [ServiceUnderTest(name, self.log_dir, instance=f"{name}-{i + 1}").start()
                                  for i in range(self.instances)]

    async def wait_ready(self, timeout: float = 90) -> None:
        for member in self.all():
            if member.instance not in self._intended_down:
                await asyncio.to_thread(member.wait_ready, timeout)

    def all(self) -> list[ServiceUnderTest]:
        return [m for members in self.members.values() for m in members]

    def pick(self, name: str, rng: random.Random, *, up: bool = True) -> ServiceUnderTest | None:
        candidates = [m for m in self.members[name] if (m.instance in self._intended_down) != up]
        return rng.choice(candidates) if candidates else None

    def kill(self, member: ServiceUnderTest) -> None:
        self._intended_down.add(member.instance)
        member.kill()

    async def kill_and_restart(self, member: ServiceUnderTest, pause: float) -> None:
        self.kill(member)
        await asyncio.sleep(pause)
        await self.restart(member)

    async def leave(self, member: ServiceUnderTest) -> None:
        """A graceful stop (SIGTERM): the instance leaves its consumer groups and the rest rebalance."""
        self._intended_down.add(member.instance)
        await asyncio.to_thread(member.stop)

    async def restart(self, member: ServiceUnderTest, timeout: float = 90) -> None:
        member.start()
        self._intended_down.discard(member.instance)
        try:
            await asyncio.to_thread(member.wait_ready, timeout)
        except RuntimeError:
            pass  # it exited while starting: the watchdog starts it again and counts the exit

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for member in self.all():
                if member.instance not in self._intended_down and not member.running():
                    self.exits += 1
                    member.start()
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass

    def stop(self) -> None:
        for member in self.all():
            member.stop()
