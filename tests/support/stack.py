"""Fixtures' helpers: the session's stack, a fresh test database, and services run as real processes.

COOPREG_TEST_STACK chooses the stack the integration and end-to-end tests run on:
- `containers` (the default): this session's own Kafka and PostgreSQL as containers (testcontainers,
  tests/support/containers.py), on free loopback ports, removed at the session's end;
- `processes`: the local process stack (`coopreg stack up`, shared with the demo), where no container
  engine can run.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

from coopreg.provision import ensure_database, provision, service_schemas
from coopreg.stack import Stack
from shared.kafka import make_producer
from shared.settings import PROJECT_ROOT, KafkaSettings, Settings

# The schemas a session starts without: the services', the tests' own, the key store and the audit log.
SERVICE_SCHEMAS = ("cards", "purchases", "bonus", "membership", "consent", "digital", "delivery_test", "tracing_test",
                   "register_api", "subject_keys", "audit")
# The schemas the tests' own pools log in to, each as its own role like a service's.
TEST_SCHEMAS = ("delivery_test", "tracing_test", "dead_letters_test")


async def fresh_database(settings: Settings) -> None:
    """Create the test database if needed, drop the schemas and provision it again (roles per schema,
    the audit log, the key store: coopreg/provision.py), so a session starts empty."""
    await ensure_database(settings)
    await provision(settings, schemas=(*service_schemas(), *TEST_SCHEMAS), drop_first=SERVICE_SCHEMAS)


STACKS = ("containers", "processes")
_containers = None  # this session's ContainerStack, once up


def test_stack() -> str:
    chosen = os.environ.get("COOPREG_TEST_STACK", "containers")
    if chosen not in STACKS:
        raise ValueError(f"COOPREG_TEST_STACK={chosen!r}: choose one of {', '.join(STACKS)}")
    return chosen


def ensure_stack() -> None:
    """The session's stack up. Call it before reading any Settings: on containers it points this process's
    environment (and so every process the tests start) at the containers' ports."""
    global _containers
    if test_stack() == "processes":
        Stack(Settings()).up(lambda text: None)
    elif _containers is None:
        from tests.support.containers import ContainerStack

        _containers = ContainerStack(say=lambda text: print(f"\n[test stack] {text}", flush=True)).up()
        os.environ.update(_containers.environ)


def stop_stack() -> None:
    """The session's containers removed (the process stack is left running, as `make test` found it)."""
    global _containers
    if _containers is not None:
        _containers.down()
        _containers = None


class ServiceProcess:
    """One service in its own OS process, as production runs it."""

    def __init__(self, name: str, log_dir: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.log = log_dir / f"{name}-{os.getpid()}.log"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen | None = None

    def start(self) -> "ServiceProcess":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = open(self.log, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", f"services.{self.name}.entrypoints.service"],
                                     stdout=out, stderr=subprocess.STDOUT, env=self.env, cwd=PROJECT_ROOT)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b'"service started"' in self.log.read_bytes():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: see {self.log}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready: see {self.log}")

    def stop(self, kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if kill else self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


async def eventually(check, timeout: float = 30, interval: float = 0.2):
    """Poll an async `check` until it returns something truthy; fail with the last value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s (last value: {value!r})")


def integration_settings() -> Settings:
    """The integration tier's own database: the services the end-to-end tests run would otherwise relay
    (and so empty) the outboxes these tests read."""
    settings = Settings()
    return settings.model_copy(update={"pg": settings.pg.model_copy(
        update={"database": f"{settings.pg.database}_integration"})})


@asynccontextmanager
async def started_producer(kafka: KafkaSettings, client_id: str):
    """A started producer, for tests that send records themselves (a relay, raw or malformed messages)."""
    producer = make_producer(kafka, client_id)
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()
