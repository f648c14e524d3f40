"""The chaos run's own Kafka broker and PostgreSQL server: other ports, a stack directory of its own.

The development stack is shared with other runs (tests, demos); restarting its broker or database would
disturb them. The dedicated stack reuses the development stack's Kafka jars (no second download) and
starts each run from an empty broker.
"""
from __future__ import annotations

import os
import random
import shutil
import socket
from pathlib import Path

from coopreg.chaos.config import DedicatedStack
from coopreg.stack import Stack
from shared.settings import PROJECT_ROOT, Settings

DEVELOPMENT_JARS = PROJECT_ROOT / ".stack" / "kafka" / "lib"


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def of_this_process(rng: random.Random | None = None) -> DedicatedStack:
    """A stack on free ports (the broker needs two in a row) in a directory of this process, removed after
    the run: test sessions running side by side never share, stop or wipe each other's stack."""
    rng = rng or random.Random()
    while True:
        kafka, pg = rng.randrange(40000, 48000, 2), rng.randrange(48000, 50000)
        if _free(kafka) and _free(kafka + 1) and _free(pg):
            return DedicatedStack(kafka, pg, PROJECT_ROOT / f".stack-chaos-{os.getpid()}", ephemeral=True)


def stack_environ(stack: DedicatedStack) -> dict[str, str]:
    """The settings variables pointing every process of the run at the dedicated stack."""
    return {"COOPREG_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{stack.kafka_port}",
            "COOPREG_PG_PORT": str(stack.pg_port), "COOPREG_STACK_DIR": str(stack.dir),
            "COOPREG_STACK_KAFKA_HEAP": stack.kafka_heap}


def _reuse_jars(lib: Path) -> None:
    if lib.exists() or not any(DEVELOPMENT_JARS.glob("kafka_2.13-*.jar")):
        return  # already there, or `KafkaBroker.ensure_jars` fetches them
    lib.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DEVELOPMENT_JARS, lib, copy_function=os.link)


def up(settings: Settings, say) -> Stack:
    """Start the dedicated stack from an empty broker (the database keeps its cluster; runs use their own)."""
    stack = Stack(settings)
    _reuse_jars(stack.kafka.lib)
    if not stack.kafka.process.running():
        shutil.rmtree(stack.kafka.data, ignore_errors=True)
    stack.up(say)
    return stack


def down(stack: Stack, dedicated: DedicatedStack, say) -> None:
    stack.down(say)
    if dedicated.ephemeral:
        shutil.rmtree(dedicated.dir, ignore_errors=True)
