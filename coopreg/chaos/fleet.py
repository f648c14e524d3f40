"""The services under test as real processes: several instances of each, killed, paused and restarted on demand.

A watchdog restarts an instance that exited on its own (a service that cannot reach its broker at start
gives up, as in production where the orchestrator restarts it); such exits are counted in the report.

Each instance serves its HTTP endpoint on a port of its own. With `api`, the register API runs too, in as
many instances, asking the services' first instances for a person's data (COOPREG_API_SERVICE_URLS).
"""
from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field

import orjson

from coopreg.bench.environment import ServiceUnderTest
from coopreg.service_endpoints import free_port

SERVICES = ("purchases", "bonus")
EVERY_SERVICE = ("cards", "purchases", "bonus", "membership", "consent", "digital")
API = "register_api"


@dataclass
class Fleet:
    log_dir: str
    instances: int = 1
    services: tuple[str, ...] = SERVICES
    env: dict[str, str] = field(default_factory=dict)  # every instance's: the stack through the fault proxy
    api: bool = False
    exits: int = 0
    members: dict[str, list[ServiceUnderTest]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)  # instance → its HTTP port
    _intended_down: set[str] = field(default_factory=set)

    @property
    def names(self) -> tuple[str, ...]:
        """What the faults choose from: the services, and the register API when it runs."""
        return self.services + ((API,) if self.api else ())

    def start(self) -> None:
        for name in self.services:
            self.members[name] = [self._member(name, i) for i in range(self.instances)]
        if self.api:
            urls = {name: f"http://127.0.0.1:{self.ports[f'{name}-1']}" for name in self.services}
            self.members[API] = [self._member(API, i, {"COOPREG_API_SERVICE_URLS": orjson.dumps(urls).decode()})
                                 for i in range(self.instances)]
        for member in self.all():
            member.start()

    def _member(self, name: str, i: int, extra: dict[str, str] | None = None) -> ServiceUnderTest:
        instance = f"{name}-{i + 1}"
        port = self.ports.setdefault(instance, free_port())
        own = {"COOPREG_API_PORT": str(port), "COOPREG_API_RETENTION_EVERY_HOURS": "0"} if name == API else \
            {"COOPREG_METRICS_PORT": str(port)}
        return ServiceUnderTest(name, self.log_dir, instance=instance, env=self.env | own | (extra or {}))

    def api_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.ports[m.label]}" for m in self.members.get(API, [])]

    async def wait_ready(self, timeout: float = 90) -> None:
        for member in self.all():
            if member.label not in self._intended_down:
                await asyncio.to_thread(member.wait_ready, timeout)

    def all(self) -> list[ServiceUnderTest]:
        return [m for members in self.members.values() for m in members]

    def pick(self, name: str, rng: random.Random, *, up: bool = True) -> ServiceUnderTest | None:
        candidates = [m for m in self.members[name] if (m.label in self._intended_down) != up]
        return rng.choice(candidates) if candidates else None

    def kill(self, member: ServiceUnderTest) -> None:
        self._intended_down.add(member.label)
        member.kill()

    async def kill_and_restart(self, member: ServiceUnderTest, pause: float) -> None:
        self.kill(member)
        await asyncio.sleep(pause)
        await self.restart(member)

    async def suspend_and_resume(self, member: ServiceUnderTest, seconds: float) -> None:
        """SIGSTOP for `seconds`, then SIGCONT: past the session timeout its group has moved its partitions
        to the other instance, and the woken process still holds a batch it was working on (a zombie)."""
        member.suspend()
        try:
            await asyncio.sleep(seconds)
        finally:
            member.resume()

    async def leave(self, member: ServiceUnderTest) -> None:
        """A graceful stop (SIGTERM): the instance leaves its consumer groups and the rest rebalance."""
        self._intended_down.add(member.label)
        await asyncio.to_thread(member.stop)

    async def restart(self, member: ServiceUnderTest, timeout: float = 90) -> None:
        member.start()
        self._intended_down.discard(member.label)
        try:
            await asyncio.to_thread(member.wait_ready, timeout)
        except RuntimeError:
            pass  # it exited while starting: the watchdog starts it again and counts the exit

    async def watch(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for member in self.all():
                if member.label not in self._intended_down and not member.running():
                    self.exits += 1
                    member.start()
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass

    def stop(self) -> None:
        for member in self.all():
            member.resume()  # a process stopped by a pause that the run's end interrupted would not end
            member.stop()
