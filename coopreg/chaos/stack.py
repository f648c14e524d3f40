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
from coopreg.chaos.proxy import FaultProxy
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
        # below the ephemeral range, as `DedicatedStack`'s defaults (a client cannot connect to itself there)
        kafka, pg = rng.randrange(20000, 28000, 4), rng.randrange(28000, 30000, 4)
        ports = (kafka, kafka + 1, kafka + 2, kafka + 3, pg, pg + 1, pg + 2)
        if all(_free(port) for port in ports):
            return DedicatedStack(kafka, pg, PROJECT_ROOT / f".stack-chaos-{os.getpid()}", ephemeral=True,
                                  proxy_api_port=pg + 2, kafka_proxy_port=kafka + 3, pg_proxy_port=pg + 1)


def stack_environ(stack: DedicatedStack) -> dict[str, str]:
    """The settings variables pointing every process of the run at the dedicated stack."""
    return {"COOPREG_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{stack.kafka_port}",
            "COOPREG_PG_PORT": str(stack.pg_port), "COOPREG_STACK_DIR": str(stack.dir),
            "COOPREG_STACK_KAFKA_HEAP": stack.kafka_heap}


def proxied_environ(stack: DedicatedStack) -> dict[str, str]:
    """The services' variables: Kafka and PostgreSQL through the fault proxy."""
    return {"COOPREG_KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{stack.kafka_proxy_port}",
            "COOPREG_PG_PORT": str(stack.pg_proxy_port)}


def services_environ(stack: DedicatedStack | None) -> dict[str, str]:
    """The services' variables of a run: through the fault proxy, which a dedicated stack has in front of it
    (run_chaos starts it with the stack); none on the shared stack."""
    return proxied_environ(stack) if stack is not None else {}


def fault_proxy(stack: DedicatedStack, log_dir: Path) -> FaultProxy:
    """Toxiproxy with a proxy to the broker's proxied listener and one to PostgreSQL (not yet started)."""
    return FaultProxy(stack.proxy_api_port, log_dir / "toxiproxy.log",
                      proxies={"kafka": (stack.kafka_proxy_port, stack.kafka_port + 2),
                               "postgres": (stack.pg_proxy_port, stack.pg_port)})


def _reuse_jars(lib: Path) -> None:
    if lib.exists() or not any(DEVELOPMENT_JARS.glob("kafka_2.13-*.jar")):
        return  # already there, or `KafkaBroker.ensure_jars` fetches them
    lib.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DEVELOPMENT_JARS, lib, copy_function=os.link)


def up(settings: Settings, say, dedicated: DedicatedStack | None = None) -> Stack:
    """Start the dedicated stack from an empty broker (the database keeps its cluster; runs use their own).
    With `dedicated`, the broker also listens for the services behind the fault proxy."""
    stack = Stack(settings)
    if dedicated is not None:
        stack.kafka.proxied = (dedicated.kafka_port + 2, dedicated.kafka_proxy_port)
    _reuse_jars(stack.kafka.lib)
    if not stack.kafka.process.running():
        shutil.rmtree(stack.kafka.data, ignore_errors=True)
    try:
        stack.up(say)
    except Exception:
        stack.down(say)  # a part that started is not left running (a port taken since it was chosen, say)
        raise
    return stack


def down(stack: Stack, dedicated: DedicatedStack, say) -> None:
    stack.down(say)
    if dedicated.ephemeral:
        shutil.rmtree(dedicated.dir, ignore_errors=True)
