"""An isolated place for a benchmark on the local stack: its own database and topic prefix, and the
services as real processes whose memory is sampled (and which a chaos run kills and restarts)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Mapping

import asyncpg
import psutil

from coopreg.provision import ensure_database, provision
from services.registry import SERVICES
from shared.kafka import delete_prefixed_topics, ensure_topics
from shared.settings import PROJECT_ROOT, Settings

SCHEMAS = tuple(SERVICES)  # every service's schema, as the registry names them


@contextmanager
def scoped_environ(overrides: Mapping[str, str]) -> Iterator[None]:
    """Settings variables for one run, restored afterwards (a test session goes on with its own)."""
    saved = dict(os.environ)
    os.environ.update(overrides)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


async def isolated_settings(name: str, drop_first: tuple[str, ...] = SCHEMAS) -> Settings:
    """Settings for a fresh database `coopreg_<name>` and a topic prefix of this run; the topics of
    earlier runs of the same name are deleted first, and the schemas `drop_first` dropped."""
    await delete_prefixed_topics(Settings(kafka={"topic_prefix": f"{name}-"}).kafka)
    os.environ["COOPREG_PG_DATABASE"] = f"coopreg_{name}"
    os.environ["COOPREG_KAFKA_TOPIC_PREFIX"] = f"{name}-{int(time.time())}."
    settings = Settings()
    # The services' schemas dropped and provisioned again, each for its own role (coopreg/provision.py).
    await ensure_database(settings)
    await provision(settings, drop_first=drop_first)
    await ensure_topics(settings.kafka)
    return settings


async def drop_isolated_database(settings: Settings) -> None:
    """Remove a run's database (its sessions ended first), leaving nothing behind on a shared server."""
    pg = settings.pg
    conn = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database="postgres",
                                 password=pg.password.get_secret_value())
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{pg.database}" WITH (FORCE)')
    finally:
        await conn.close()


async def connect(settings: Settings, schema: str | None = None) -> asyncpg.Connection:
    pg = settings.pg
    return await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database=pg.database,
                                 password=pg.password.get_secret_value(),
                                 server_settings={"search_path": schema} if schema else None)


@dataclass
class ServiceUnderTest:
    """A service process (one instance of it when `instance` is given); a thread samples its resident
    memory until it stops. A restart appends to the same log."""

    name: str
    log_dir: str = str(PROJECT_ROOT / "artifacts" / "bench")
    instance: str | None = None
    peak_rss: int = 0
    proc: subprocess.Popen | None = None
    _sampler: threading.Thread | None = field(default=None, repr=False)
    _log_from: int = field(default=0, repr=False)

    @property
    def log_path(self) -> str:
        return os.path.join(self.log_dir, f"{self.instance or self.name}.log")

    def start(self) -> "ServiceUnderTest":
        os.makedirs(self.log_dir, exist_ok=True)
        restart = self.proc is not None
        self._log_from = os.path.getsize(self.log_path) if restart and os.path.exists(self.log_path) else 0
        log = open(self.log_path, "ab" if restart else "wb")
        # The benches and the chaos run close their months themselves, against their own clocks and oracles.
        env = {"COOPREG_BONUS_SCHEDULED_CLOSE": "false", **os.environ,
               **({"COOPREG_INSTANCE": self.instance} if self.instance else {})}
        self.proc = subprocess.Popen([sys.executable, "-m", f"services.{self.name}.entrypoints.service"],
                                     stdout=log, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_ROOT)
        log.close()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed or committed."""
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def _sample(self) -> None:
        process = psutil.Process(self.proc.pid)
        while self.proc.poll() is None:
            try:
                self.peak_rss = max(self.peak_rss, process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.1)

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (user + system): a cost that a busy machine does not
        distort the way it distorts wall time."""
        try:
            times = psutil.Process(self.proc.pid).cpu_times()
        except psutil.Error:
            return 0.0
        return times.user + times.system

    def ready(self) -> bool:
        with open(self.log_path, "rb") as log:
            log.seek(self._log_from)
            return b'"service started"' in log.read()

    def wait_ready(self, timeout: float = 60) -> None:
        path = self.log_path
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.ready():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {path}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start; see {path}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


def stack_cpu_seconds(database: str | None = None) -> dict[str, float]:
    """CPU time used so far by the broker (java) and by PostgreSQL: its background processes and, when
    `database` is given, only the sessions of that database (others may share the server)."""
    used = {"kafka": 0.0, "postgres": 0.0}
    for process in psutil.process_iter(["name", "cmdline", "cpu_times"]):
        name, cmdline, times = process.info["name"] or "", process.info["cmdline"] or [], process.info["cpu_times"]
        if times is None:
            continue
        if name == "java" and any("kafka" in part for part in cmdline):
            used["kafka"] += times.user + times.system
        elif name == "postgres" and _of_database(" ".join(cmdline), database):
            used["postgres"] += times.user + times.system
    return used


def _of_database(title: str, database: str | None) -> bool:
    """A session's process title is `postgres: <user> <database> <client> <state>`; a background
    process's names its task (`postgres: walwriter`)."""
    words = title.split()
    if database is None or len(words) < 4 or not words[0].startswith("postgres:"):
        return True
    return words[2] == database
