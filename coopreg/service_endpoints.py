"""The services' subject endpoints for tools and tests that run the register API in-process: each service's own
endpoint (its answers, its pool on its own schema, real HTTP on loopback), served from a thread of their own,
because the API under test (FastAPI's TestClient) blocks the test's event loop while it waits for them."""
from __future__ import annotations

import asyncio
import socket
import threading

from services.registry import SERVICES
from shared.runtime import open_pool
from shared.settings import Settings
from shared.subject_endpoint import SubjectEndpoint, serve


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServiceEndpoints:
    """Start with `start()`; `urls` is what the API's `service_urls` setting takes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.urls: dict[str, str] = {}
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="service-endpoints", daemon=True)

    def start(self) -> "ServiceEndpoints":
        self._thread.start()
        if not self._ready.wait(60) or self._failed:
            raise RuntimeError(f"the services' endpoints did not start: {self._failed!r}")
        return self

    def stop(self) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)

    def _run(self) -> None:
        self._loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        pools, tasks = [], []
        try:
            key = self.settings.secrets.service_token_key.get_secret_value()
            for name, service in SERVICES.items():
                pool = await open_pool(self.settings, service)
                pools.append(pool)
                # as the runtime serves it: a service with no queries of its own answers each "no_such_query"
                endpoint = SubjectEndpoint(name, pool, service.answers(self.settings) if service.answers else {}, key)
                started = asyncio.Event()
                app = endpoint.app()
                tasks.append(asyncio.create_task(serve(app, "127.0.0.1", 0, self._stop, started)))
                await started.wait()
                self.urls[name] = f"http://127.0.0.1:{app.state.port}"
        except BaseException as error:  # noqa: BLE001 - reported to the starting thread
            self._failed = error
            self._stop.set()
        self._ready.set()
        await self._stop.wait()
        await asyncio.gather(*tasks, return_exceptions=True)
        for pool in pools:
            await pool.close()
