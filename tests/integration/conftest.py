from __future__ import annotations

import pytest

from coopreg.service_endpoints import ServiceEndpoints
from services.registry import SERVICES
from shared.runtime import open_pool
from shared.settings import Settings
from tests.support.stack import ensure_stack, fresh_database, integration_settings


@pytest.fixture(scope="session")
async def settings() -> Settings:
    ensure_stack()
    settings = integration_settings()
    await fresh_database(settings)
    endpoints = ServiceEndpoints(settings).start()
    settings.api.service_urls = endpoints.urls  # the register API asks each service's own endpoint
    yield settings
    endpoints.stop()


@pytest.fixture(scope="session")
async def pools(settings):
    opened = {name: await open_pool(settings, service) for name, service in SERVICES.items()}
    yield opened
    for pool in opened.values():
        await pool.close()
