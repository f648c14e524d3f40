from __future__ import annotations

import os

import asyncpg
import orjson
import pytest

from coopreg.client import RegisterClient
from coopreg.service_endpoints import free_port
from shared.kafka import delete_prefixed_topics, ensure_topics
from shared.settings import PROJECT_ROOT, Settings
from tests.support.stack import ServiceProcess, ensure_stack, fresh_database, started_producer

SLICE = ("cards", "purchases", "bonus", "membership", "consent", "digital")
# Each service of the slice serves its endpoint on a port of its own; the register API (and the CLI the tests
# run) asks them there. Set before any Settings is read, so every process of the session sees it.
PORTS = {name: free_port() for name in SLICE}
os.environ["COOPREG_API_SERVICE_URLS"] = orjson.dumps({n: f"http://127.0.0.1:{p}" for n, p in PORTS.items()}).decode()


@pytest.fixture(scope="session")
async def settings() -> Settings:
    ensure_stack()
    settings = Settings()
    await fresh_database(settings)
    await ensure_topics(settings.kafka)
    yield settings
    await delete_prefixed_topics(settings.kafka)  # the session's topics: runs must not pile up partitions


@pytest.fixture(scope="session")
async def services(settings):
    running = [ServiceProcess(name, PROJECT_ROOT / "artifacts" / "logs",
                              {"COOPREG_METRICS_PORT": str(PORTS[name])}).start() for name in SLICE]
    try:
        for process in running:
            process.wait_ready()
        yield {p.name: p for p in running}
    finally:
        for process in running:
            process.stop()


@pytest.fixture(scope="session")
async def client(settings):
    async with RegisterClient(settings) as client:
        yield client


@pytest.fixture(scope="session")
async def producer(settings):
    async with started_producer(settings.kafka, "e2e-tests") as producer:
        yield producer


@pytest.fixture(scope="session")
async def db(settings):
    pg = settings.pg
    pool = await asyncpg.create_pool(host=pg.host, port=pg.port, user=pg.user, database=pg.database,
                                     password=pg.password.get_secret_value(), min_size=1, max_size=4)
    yield pool
    await pool.close()
