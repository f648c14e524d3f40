"""The services as processes of the proof's own, in its own database and topic prefix (as the benchmarks run
them: coopreg/bench/environment.py), each serving its subject endpoint on a free port that the register API is
pointed at, and each writing a log file the search reads afterwards."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from coopreg.service_endpoints import free_port
from services.registry import SERVICES
from shared.settings import PROJECT_ROOT


@dataclass
class ServiceProcess:
    name: str
    log: Path
    port: int
    proc: subprocess.Popen | None = None

    def start(self) -> "ServiceProcess":
        with open(self.log, "ab") as out:
            env = {**os.environ, "COOPREG_METRICS_PORT": str(self.port), "PYTHONPATH": str(PROJECT_ROOT)}
            self.proc = subprocess.Popen([sys.executable, "-m", f"services.{self.name}.entrypoints.service"],
                                         stdout=out, stderr=subprocess.STDOUT, env=env, cwd=PROJECT_ROOT)
        return self

    def wait_ready(self, timeout: float = 90) -> None:
        if self.proc is None:
            raise RuntimeError(f"{self.name} is waited for before it was started")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b'"service started"' in self.log.read_bytes():
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log}")
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start within {timeout} s; see {self.log}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Fleet:
    """Every service of the registry, started and stopped together."""

    def __init__(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir = log_dir
        self.processes = [ServiceProcess(name, log_dir / f"{name}.log", free_port()) for name in SERVICES]
        # Read by the register API's Settings (and by the service processes, which ignore it).
        os.environ["COOPREG_API_SERVICE_URLS"] = orjson.dumps(self.urls).decode()

    @property
    def urls(self) -> dict[str, str]:
        return {p.name: f"http://127.0.0.1:{p.port}" for p in self.processes}

    @property
    def logs(self) -> list[Path]:
        return [p.log for p in self.processes]

    def start(self) -> "Fleet":
        for process in self.processes:
            process.start()
        for process in self.processes:
            process.wait_ready()
        return self

    def stop(self) -> None:
        for process in self.processes:
            process.stop()
