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

from coopreg.provision import ensure_database, provision, service_schemas
from services.registry import SERVICES
from shared.kafka import delete_prefixed_topics, ensure_topics
from shared.settings import PROJECT_ROOT, KafkaSettings, Settings

SCHEMAS = tuple(SERVICES)  # every service's schema, as the registry names them
# The whole register's: the API's too, the key store and the audit log (a run with the register API: the
# erasures, keys and audit entries of an earlier run must not meet this one's people)
REGISTER_SCHEMAS = (*service_schemas(), "subject_keys", "audit")
LOG_DIR = str(PROJECT_ROOT / "artifacts" / "bench")


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
    earlier runs of the same name are deleted first, and the schemas `drop_first` dropped. COOPREG_BENCH_SUFFIX
    is appended to the name: runs side by side on one shared stack (two engineers, a test beside a bench)
    must not drop each other's database or delete each other's topics."""
    name = f"{name}{os.environ.get('COOPREG_BENCH_SUFFIX', '')}"
    await delete_prefixed_topics(KafkaSettings(topic_prefix=f"{name}-"))
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
    log_dir: str = LOG_DIR
    instance: str | None = None
    env: Mapping[str, str] = field(default_factory=dict)  # settings of this process alone (its port)
    peak_rss: int = 0
    proc: subprocess.Popen | None = None
    _sampler: threading.Thread | None = field(default=None, repr=False)
    _log_from: int = field(default=0, repr=False)

    @property
    def label(self) -> str:
        """The instance, or the service when it runs as one process: what its log and a fleet call it."""
        return self.instance or self.name

    @property
    def log_path(self) -> str:
        return os.path.join(self.log_dir, f"{self.label}.log")

    def start(self) -> "ServiceUnderTest":
        os.makedirs(self.log_dir, exist_ok=True)
        restart = self.proc is not None
        self._log_from = os.path.getsize(self.log_path) if restart and os.path.exists(self.log_path) else 0
        log = open(self.log_path, "ab" if restart else "wb")
        # The benches and the chaos run close their months themselves, against their own clocks and oracles.
        env = {"COOPREG_BONUS_SCHEDULED_CLOSE": "false", **os.environ,
               **({"COOPREG_INSTANCE": self.instance} if self.instance else {}), **self.env}
        self.proc = subprocess.Popen([sys.executable, "-m", f"services.{self.name}.entrypoints.service"],
                                     stdout=log, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_ROOT)
        log.close()
        self._sampler = threading.Thread(target=self._sample, args=(self.proc,), daemon=True)
        self._sampler.start()
        return self

    def _live(self) -> subprocess.Popen | None:
        """The process, while it runs."""
        return self.proc if self.proc is not None and self.proc.poll() is None else None

    def running(self) -> bool:
        return self._live() is not None

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is flushed or committed."""
        if (proc := self._live()) is not None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)

    def suspend(self) -> None:
        """SIGSTOP: the process, its heartbeats and its open transactions freeze where they are."""
        if (proc := self._live()) is not None:
            proc.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        if (proc := self._live()) is not None:
            proc.send_signal(signal.SIGCONT)

    def _sample(self, proc: subprocess.Popen) -> None:
        process = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                self.peak_rss = max(self.peak_rss, process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.1)

    def cpu_seconds(self) -> float:
        """CPU time the process has used so far (user + system): a cost that a busy machine does not
        distort the way it distorts wall time."""
        return proc_cpu_seconds(self.proc.pid) if self.proc else 0.0

    def rss_bytes(self) -> int:
        try:
            return psutil.Process(self.proc.pid).memory_info().rss if self.proc else 0
        except psutil.Error:
            return 0

    def open_fds(self) -> int:
        try:
            return len(os.listdir(f"/proc/{self.proc.pid}/fd")) if self.proc else 0
        except OSError:
            return 0

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
            if not self.running():
                raise RuntimeError(f"{self.name} exited; see {path}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start; see {path}")

    def stop(self) -> None:
        """SIGTERM, and SIGKILL when the process has not stopped in 30 s (a server still draining connections):
        a benchmark's figures are not lost to a slow shutdown."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    """utime + stime of a process from /proc/<pid>/stat (0 once it has gone): the kernel's own account,
    which a busy machine does not distort the way it distorts wall time."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return 0.0
    # the command name (field 2) may hold spaces and parentheses: the fields after its last ")" start at 3
    fields = text[text.rindex(b")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime and stime: fields 14 and 15


def stack_cpu_seconds(database: str | None = None) -> dict[str, float]:
    """CPU time used so far by the broker (its JVM) and by PostgreSQL: its background processes and, when
    `database` is given, only the sessions of that database (others may share the server). The broker and the
    server are the ones the settings name, found by their listening ports: other stacks on the machine (a chaos
    run's own) are not counted. The broker is shared too: its figure includes other users' traffic."""
    settings = Settings()
    used = {"kafka": 0.0, "postgres": 0.0}
    broker, postmaster = _listening(settings.kafka.first_port), _listening(settings.pg.port)
    if broker is not None:
        used["kafka"] = proc_cpu_seconds(broker)
    if postmaster is not None:
        try:
            children = psutil.Process(postmaster).children()
        except psutil.Error:
            children = []
        for child in children:
            try:
                title = " ".join(child.cmdline())
            except psutil.Error:
                continue
            if _of_database(title, database):
                used["postgres"] += proc_cpu_seconds(child.pid)
    return used


_LISTENERS: dict[int, int] = {}


def _listening(port: int) -> int | None:
    """The process listening on a local TCP port (remembered: the stack does not move during a run)."""
    known = _LISTENERS.get(port)
    if known is not None and psutil.pid_exists(known):
        return known
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid:
            _LISTENERS[port] = conn.pid
            return conn.pid
    return None


def _of_database(title: str, database: str | None) -> bool:
    """A session's process title is `postgres: <user> <database> <client> <state>`; a background
    process's names its task (`postgres: walwriter`)."""
    words = title.split()
    if database is None or len(words) < 4 or not words[0].startswith("postgres:"):
        return True
    return words[2] == database
