"""An isolated place for a benchmark on the local stack: its own database and topic prefix, and the
services as real processes whose memory is sampled."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field

import asyncpg
import psutil

from shared.kafka import ensure_topics
from shared.settings import PROJECT_ROOT, Settings

SCHEMAS = ("cards", "purchases", "bonus", "membership", "consent")


async def isolated_settings(name: str) -> Settings:
    """Settings for a fresh database `coopreg_<name>` and a topic prefix of this run."""
    os.environ["COOPREG_PG_DATABASE"] = f"coopreg_{name}"
    os.environ["COOPREG_KAFKA_TOPIC_PREFIX"] = f"{name}-{int(time.time())}."
    settings = Settings()
    pg = settings.pg
    conn = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database="postgres",
                                 password=pg.password.get_secret_value())
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", pg.database):
            await conn.execute(f'CREATE DATABASE "{pg.database}"')
    finally:
        await conn.close()
    conn = await connect(settings)
    try:
        for schema in SCHEMAS:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()
    await ensure_topics(settings.kafka)
    return settings


async def connect(settings: Settings, schema: str | None = None) -> asyncpg.Connection:
    pg = settings.pg
    return await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database=pg.database,
                                 password=pg.password.get_secret_value(),
                                 server_settings={"search_path": schema} if schema else None)


@dataclass
class ServiceUnderTest:
    """A service process; a thread samples its resident memory until it stops."""

    name: str
    log_dir: str = str(PROJECT_ROOT / "artifacts" / "bench")
    peak_rss: int = 0
    proc: subprocess.Popen | None = None
    _sampler: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> "ServiceUnderTest":
        os.makedirs(self.log_dir, exist_ok=True)
        log = open(os.path.join(self.log_dir, f"{self.name}.log"), "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", f"services.{self.name}.entrypoints.service"],
                                     stdout=log, stderr=subprocess.STDOUT, env={**os.environ}, cwd=PROJECT_ROOT)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        return self

    def _sample(self) -> None:
        process = psutil.Process(self.proc.pid)
        while self.proc.poll() is None:
            try:
                self.peak_rss = max(self.peak_rss, process.memory_info().rss)
            except psutil.Error:
                return
            time.sleep(0.1)

    def wait_ready(self, timeout: float = 60) -> None:
        path = os.path.join(self.log_dir, f"{self.name}.log")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(path, "rb") as log:
                if b'"service started"' in log.read():
                    return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {path}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start; see {path}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)
