"""The network between the services and Kafka/PostgreSQL, through a real fault proxy: Toxiproxy.

The chaos run's services reach the broker and the database only through Toxiproxy (`tools/bin/toxiproxy-server`,
built by `make setup` from its Go module), so a network fault is a toxic on a proxy, added and removed over
Toxiproxy's HTTP API — never code inside the services. The run's own clients (publisher, oracle, observer)
reach the stack directly: a network fault disturbs the services, not the measurement.

The broker advertises the proxy's port on a listener of its own (coopreg/stack/kafka.py `proxied`), so a
client bootstrapped through the proxy keeps talking to the broker through it.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from coopreg.stack.process import port_open, wait_until
from shared.settings import PROJECT_ROOT

SERVER = PROJECT_ROOT / "tools" / "bin" / "toxiproxy-server"


@dataclass
class FaultProxy:
    api_port: int
    log_path: Path
    proc: subprocess.Popen | None = None
    proxies: dict[str, tuple[int, int]] = field(default_factory=dict)  # name → (listen, upstream) ports
    _toxics: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def start(self) -> "FaultProxy":
        if not SERVER.exists():
            raise RuntimeError(f"{SERVER} is missing: `make setup` builds it (Go module github.com/Shopify/toxiproxy)")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            # Toxiproxy traces every connection by default: warnings are what a reader of the run needs.
            proc = self.proc = subprocess.Popen([str(SERVER), "-host", "127.0.0.1", "-port", str(self.api_port)],
                                                stdout=log, stderr=subprocess.STDOUT,
                                                env={**os.environ, "LOG_LEVEL": "warn"})
        try:
            wait_until(lambda: port_open(self.api_port), 30, f"toxiproxy did not start; see {self.log_path}",
                       alive=lambda: proc.poll() is None)
            for name, (listen, upstream) in self.proxies.items():
                self._create(name, listen, upstream)
        except Exception:
            self.stop()  # not left running when a listening port is taken (500 from the API)
            raise
        return self

    def _create(self, name: str, listen: int, upstream: int) -> None:
        response = httpx.post(f"{self.url}/proxies", json={
            "name": name, "listen": f"127.0.0.1:{listen}", "upstream": f"127.0.0.1:{upstream}", "enabled": True})
        response.raise_for_status()

    async def add(self, proxy: str, kind: str, attributes: dict, stream: str = "downstream") -> str:
        """Add a toxic (`latency`, `reset_peer`, `timeout`, …) to every connection of `proxy`; its name."""
        self._toxics += 1
        name = f"{kind}-{stream}-{self._toxics}"
        async with httpx.AsyncClient(base_url=self.url) as client:
            response = await client.post(f"/proxies/{proxy}/toxics", json={
                "name": name, "type": kind, "stream": stream, "toxicity": 1.0, "attributes": attributes})
            response.raise_for_status()
        return name

    async def remove(self, proxy: str, toxic: str) -> None:
        async with httpx.AsyncClient(base_url=self.url) as client:
            response = await client.delete(f"/proxies/{proxy}/toxics/{toxic}")
            if response.status_code != 404:
                response.raise_for_status()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
