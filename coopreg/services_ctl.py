"""Run the services as background processes (`coopreg services up | down | status`) or supervised in the
foreground (`coopreg run all`), each in its own OS process as production runs them."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import NamedTuple

from coopreg.stack.process import ManagedProcess
from services.registry import SERVICES
from shared.settings import PROJECT_ROOT, Settings


def command(name: str) -> list[str]:
    return [sys.executable, "-m", f"services.{name}.entrypoints.service"]


def managed(settings: Settings, name: str) -> ManagedProcess:
    # Services under another topic prefix are another set, with pid files and logs of their own, so that
    # `services up` beside a running set starts them rather than finding the others "already running".
    prefix = settings.kafka.topic_prefix.strip(".")
    home = settings.stack.dir / (f"services-{prefix}" if prefix else "services")
    home.mkdir(parents=True, exist_ok=True)
    return ManagedProcess(name, home / f"{name}.pid", home / f"{name}.log")


def metrics_port(name: str, settings: Settings | None = None) -> int:
    """The port of a service's /health, /ready, /metrics and subject queries: COOPREG_STACK_SERVICES_BASE_PORT
    (9101) for the first service, the next ones in registry order."""
    return (settings or Settings()).stack.services_base_port + list(SERVICES).index(name)


def up(settings: Settings, say, names=None) -> None:
    for name in names or SERVICES:
        process = managed(settings, name)
        if process.running():
            say(f"{name} already running (pid {process.pid()})")
            continue
        process.spawn(command(name), env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT),
                                          "COOPREG_METRICS_PORT": str(metrics_port(name, settings))})
        process.wait_for_log('"service started"', 60, f"{name} did not start; see {process.log}")
        say(f"{name} started (pid {process.pid()}, log {process.log}, "
            f"metrics http://127.0.0.1:{metrics_port(name, settings)}/metrics)")


def down(settings: Settings, say, names=None) -> None:
    for name in names or SERVICES:
        process = managed(settings, name)
        if process.running():
            say(f"stopping {name}")
        process.stop(timeout=30)


class ServiceStatus(NamedTuple):
    service: str
    running: bool


def status(settings: Settings) -> list[ServiceStatus]:
    return [ServiceStatus(name, managed(settings, name).running()) for name in SERVICES]


def supervise(names: list[str], say) -> None:
    """Run the services in the foreground; restart one that exits, with a growing pause; stop on SIGTERM."""
    procs = {name: subprocess.Popen(command(name)) for name in names}
    restarts = dict.fromkeys(names, 0)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        for name, proc in procs.items():
            if proc.poll() is not None and not stopping:
                restarts[name] += 1
                say(f"{name} exited with {proc.returncode}; restart {restarts[name]}")
                time.sleep(min(2 ** restarts[name], 30))
                procs[name] = subprocess.Popen(command(name))
        time.sleep(0.5)
    for proc in procs.values():
        proc.terminate()
    for proc in procs.values():
        proc.wait(30)
