"""What a chaos run does: how much traffic, how many faults of each kind, on which stack."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Awaitable, Callable

from shared.settings import PROJECT_ROOT


@dataclass(frozen=True)
class FaultCounts:
    """Faults injected while the services consume; the month close always gets one bonus kill more.

    `kill_services` SIGKILLs go round the fleet's services (the register API too, when it runs) in a seeded
    order, so as many as there are services kill every one. A `pause` SIGSTOPs an instance past the consumer
    session timeout and SIGCONTs it: a zombie that wakes after its partitions moved. The `net_*` faults are
    toxics on the proxy between the services and Kafka or PostgreSQL; `two_at_once` injects two faults of
    different kinds together."""

    kill_purchases: int = 3
    kill_bonus: int = 3
    kafka_restart: int = 1
    kafka_kill: int = 1
    postgres_restart: int = 1  # a clean restart (fast shutdown)
    postgres_kill: int = 0  # immediate shutdown: no checkpoint, crash recovery at start
    leave_and_join: int = 0
    kill_services: int = 0
    pause: int = 0
    net_latency: int = 0
    net_reset: int = 0
    net_blackhole: int = 0
    two_at_once: int = 0

    @property
    def on_the_stack(self) -> int:
        """Faults of the broker, the database and the network to them, which only a dedicated stack may take."""
        return (self.kafka_restart + self.kafka_kill + self.postgres_restart + self.postgres_kill
                + self.on_the_network + self.two_at_once)

    @property
    def on_the_network(self) -> int:
        return self.net_latency + self.net_reset + self.net_blackhole

    @property
    def total(self) -> int:
        return sum(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class DedicatedStack:
    """A Kafka broker and PostgreSQL server of the run's own, so its faults disturb no one else."""

    # Every port below the kernel's ephemeral range (32768-60999 on Linux): while the broker or PostgreSQL is
    # down, a client retrying a connection to a port in that range can be given that very port as its own and
    # connect to itself (TCP simultaneous open), and the restarted server then cannot bind it. Toxiproxy,
    # dialling the broker's proxied listener through a SIGKILL outage, did just that to 39094.
    kafka_port: int = 29092  # the controller on +1, the listener the proxy forwards to on +2
    pg_port: int = 25432
    dir: Path = PROJECT_ROOT / ".stack-chaos"
    kafka_heap: str = "-Xms128m -Xmx512m"
    ephemeral: bool = False  # removed after the run: a test session's own stack
    # Toxiproxy: its API, and the ports the services reach Kafka and PostgreSQL on through it
    proxy_api_port: int = 28474
    kafka_proxy_port: int = 29192
    pg_proxy_port: int = 25532


# The whole-register run's default: every kind of fault, 24 of them (two of them pairs).
WHOLE_REGISTER_FAULTS = FaultCounts(kill_purchases=0, kill_bonus=0, kafka_restart=1, kafka_kill=1,
                                    postgres_restart=1, postgres_kill=1, kill_services=8, pause=3, net_latency=2,
                                    net_reset=2, net_blackhole=2, two_at_once=2)


@dataclass(frozen=True)
class ChaosConfig:
    scenario: str = "receipts"  # receipts: POS traffic for purchases and bonus; register: the whole register
    receipts: int = 100_000
    seed: int = 2026
    faults: FaultCounts = FaultCounts()
    instances: int = 1
    publish_seconds: float = 180.0
    stack: DedicatedStack | None = DedicatedStack()
    name: str = "chaos"
    stall_seconds: float = 90.0
    # The broker killed with SIGKILL stays down this long: past the clients' own retries (40 s).
    broker_outage_seconds: float = 50.0
    kill_during_close: bool = True
    kill_mid_erasure: bool = True  # register: an instance SIGKILLed as each erasure is accepted (round the fleet)
    log_dir: Path | None = None  # where the services' logs go; by default artifacts/chaos/<name>
    # Variables of the services' and the API's processes over the run's own: a test runs a deliberately broken
    # build this way (tests/support/broken_builds: PYTHONPATH and COOPREG_BROKEN_BUILD).
    service_environ: dict[str, str] = field(default_factory=dict)
    # A test's hook: breaks the register's output on purpose after the honest verdict (given the settings and
    # the scenario); the figures are read again into `sabotaged`, to show the oracle catches the breakage.
    sabotage: Callable[..., Awaitable[None]] | None = None
