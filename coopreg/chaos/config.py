"""What a chaos run does: how much traffic, how many faults of each kind, on which stack."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.settings import PROJECT_ROOT


@dataclass(frozen=True)
class FaultCounts:
    """Faults injected while the services consume; the month close always gets one bonus kill more."""

    kill_purchases: int = 3
    kill_bonus: int = 3
    kafka_restart: int = 1
    kafka_kill: int = 1
    postgres_restart: int = 1
    leave_and_join: int = 0

    @property
    def on_the_stack(self) -> int:
        """Faults of the broker and the database, which only a dedicated stack may take."""
        return self.kafka_restart + self.kafka_kill + self.postgres_restart

    @property
    def total(self) -> int:
        return (self.kill_purchases + self.kill_bonus + self.kafka_restart + self.kafka_kill
                + self.postgres_restart + self.leave_and_join)


@dataclass(frozen=True)
class DedicatedStack:
    """A Kafka broker and PostgreSQL server of the run's own, so its faults disturb no one else."""

    kafka_port: int = 39092
    pg_port: int = 35432
    dir: Path = PROJECT_ROOT / ".stack-chaos"
    kafka_heap: str = "-Xms128m -Xmx512m"
    ephemeral: bool = False  # removed after the run: a test session's own stack


@dataclass(frozen=True)
class ChaosConfig:
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
    log_dir: Path | None = None  # where the services' logs go; by default artifacts/chaos/<name>
