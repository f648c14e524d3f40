"""The register API's composition root: settings → pools (its own schema migrated, a pool per service
schema) → key store → FastAPI app with the routes, the field policy, the error guard, and in the
background the outbox relay (the commands it publishes) and the scheduled retention job."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from services.register_api.application.context import OWN_SCHEMA, SERVICE_SCHEMAS, RegisterApi
from services.register_api.entrypoints import (
    edge, errors, routes_persons, routes_registrations, routes_rights, routes_session, web,
)
from services.register_api.entrypoints.policed_route import OrjsonResponse
from services.register_api.entrypoints.scheduler import run_retention_schedule
from services.registry import SERVICES
from shared.db import create_pool, migrate
from shared.kafka import ensure_topics, make_producer
from shared.outbox import OutboxRelay
from shared.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "adapters" / "migrations"
SERVICE_POOL_SIZE = 4
READY_TIMEOUT_SECONDS = 2


async def open_register_api(settings: Settings) -> RegisterApi:
    """Pools for the API's own schema and every service schema; each schema migrated (idempotent)."""
    own = await create_pool(settings.pg, OWN_SCHEMA)
    await migrate(own, OWN_SCHEMA, MIGRATIONS)
    pools = {OWN_SCHEMA: own}
    for name in SERVICE_SCHEMAS:
        pools[name] = await create_pool(settings.pg, name, min_size=1, max_size=SERVICE_POOL_SIZE)
        await migrate(pools[name], name, SERVICES[name].migrations)
    api = RegisterApi.build(settings, pools)
    async with own.acquire() as conn, conn.transaction():
        await api.subject_keys.ensure_schema(conn)
    return api


async def close_register_api(api: RegisterApi) -> None:
    await asyncio.gather(*(pool.close() for pool in api.pools.values()))


def create_app(settings: Settings | None = None, *, background: bool = True) -> FastAPI:
    """The app; `background` runs the outbox relay and the retention schedule (tests may leave them out)."""
    settings = settings or Settings()
    settings.check_api_keys()  # outside development mode, never the published token key

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        api = await open_register_api(settings)
        app.state.api = api
        stop, tasks, producer = asyncio.Event(), [], None
        if background:
            await ensure_topics(settings.kafka)
            producer = make_producer(settings.kafka, f"register-api-{settings.instance}")
            await producer.start()
            relay = OutboxRelay(api.own, producer, OWN_SCHEMA, settings.delivery.outbox_batch,
                                settings.delivery.outbox_poll_ms, settings.kafka.topic_prefix)
            tasks = [asyncio.create_task(relay.run(stop)), asyncio.create_task(run_retention_schedule(api, stop))]
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            if producer is not None:
                await producer.stop()
            await close_register_api(api)

    app = FastAPI(title="coopreg register API", version="1.0.0", lifespan=lifespan,
                  default_response_class=OrjsonResponse, docs_url=None, redoc_url=None,  # docs: edge.py, no CDN
                  description="Customer service and self-service access to the S-Group owner-customer register: "
                              "find a person, see and rectify their data, blocks and permissions, households, "
                              "register extracts, erasure, the audit log. Bearer tokens (JWT) name the user and "
                              "their roles; each role sees only the fields its tasks need.")
    errors.install(app)
    app.add_middleware(errors.Guard, max_body_bytes=settings.api.max_body_bytes)
    edge.install(app, settings.api)  # rate limits, no-store and CSP headers, local docs (outside the Guard)
    app.include_router(routes_persons.router)
    app.include_router(routes_registrations.router)
    app.include_router(routes_rights.router)
    app.include_router(routes_session.router)
    web.install(app)  # the customer's My data page

    @app.get("/health", tags=["operations"], summary="Liveness")
    async def health() -> dict:
        return {"status": "ok"}

    @app.get("/ready", tags=["operations"], summary="Readiness: PostgreSQL answers",
             responses={503: {"description": "PostgreSQL does not answer"}})
    async def ready() -> OrjsonResponse:
        """Changes go through the API's outbox, so a broker away does not stop it serving; a database does."""
        try:
            await asyncio.wait_for(app.state.api.own.fetchval("SELECT 1"), READY_TIMEOUT_SECONDS)
        except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return OrjsonResponse({"status": "unavailable"}, status_code=503)
        return OrjsonResponse({"status": "ready"})

    return app
