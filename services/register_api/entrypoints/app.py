"""The register API's composition root: settings → its own schema's pool (migrated) and the client of the
services' subject endpoints → key store → FastAPI app with the routes, the field policy, the error guard,
and in the background the outbox relay (the commands and requests it publishes), the consumer of the
services' erasure and retention reports, and the scheduled retention job."""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path

import asyncpg
from fastapi import FastAPI

from contracts.topics import PRIVACY_ERASURE_REPORTS, PRIVACY_RETENTION_REPORTS
from services.register_api.application import erasure, retention_run
from services.register_api.application.context import OWN_SCHEMA, RegisterApi
from services.register_api.entrypoints import (
    edge,
    errors,
    metrics,
    routes_campaigns,
    routes_disclosures,
    routes_households,
    routes_operations,
    routes_persons,
    routes_registrations,
    routes_rights,
    routes_session,
    web,
)
from services.register_api.entrypoints.policed_route import OrjsonResponse
from services.register_api.entrypoints.scheduler import run_retention_schedule
from shared.crypto import FieldCipher
from shared.db import create_pool, migrate
from shared.dead_letters import DeadLetters
from shared.jobs import keep_running
from shared.kafka import ensure_topics, make_broker, make_producer
from shared.outbox import OutboxRelay
from shared.runtime import ServiceContext
from shared.settings import Settings

MIGRATIONS = Path(__file__).resolve().parents[1] / "adapters" / "migrations"
READY_TIMEOUT_SECONDS = 2


async def open_register_api(settings: Settings) -> RegisterApi:
    """The API's own schema, migrated (idempotent), and the client of the services."""
    own = await create_pool(settings.pg, OWN_SCHEMA)
    await migrate(own, OWN_SCHEMA, MIGRATIONS)
    api = RegisterApi.build(settings, own)
    async with own.acquire() as conn, conn.transaction():
        await api.subject_keys.ensure_schema(conn)
    return api


async def close_register_api(api: RegisterApi) -> None:
    await api.services.close()
    await api.own.close()


def report_consumers(api: RegisterApi, producer) -> ServiceContext:
    """The services' erasure and retention reports, consumed as every service consumes: offsets after the
    transaction that records them, duplicates recognised, the bad ones dead-lettered."""
    settings = api.settings
    cipher = FieldCipher(settings.secrets.encryption_key.get_secret_value())
    ctx = ServiceContext("register-api", settings, api.own, producer, DeadLetters(producer, cipher),
                         make_broker(settings.kafka, f"register-api-{settings.instance}"))
    ctx.subscribe(PRIVACY_ERASURE_REPORTS, lambda conn, batch: erasure.when_services_report(api, conn, batch),
                  consumer="register-api-erasure", max_records=100)
    ctx.subscribe(PRIVACY_RETENTION_REPORTS, lambda conn, batch: retention_run.when_services_report(api, conn, batch),
                  consumer="register-api-retention", max_records=10)
    return ctx


def create_app(settings: Settings | None = None, *, background: bool = True) -> FastAPI:
    """The app; `background` runs the outbox relay and the retention schedule (tests may leave them out)."""
    settings = settings or Settings()
    settings.check_api_keys()  # outside development mode, never the published token key

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        api = await open_register_api(settings)
        app.state.api = api
        stop, tasks, producer, consumers = asyncio.Event(), [], None, None
        if background:
            await ensure_topics(settings.kafka)
            producer = make_producer(settings.kafka, f"register-api-{settings.instance}")
            await producer.start()
            relay = OutboxRelay(api.own, producer, OWN_SCHEMA, settings.delivery.outbox_batch,
                                settings.delivery.outbox_poll_ms, settings.kafka.topic_prefix)
            consumers = report_consumers(api, producer)
            await consumers.broker.start()
            tasks = [asyncio.create_task(keep_running(job, stop))
                     for job in (relay.run, partial(run_retention_schedule, api))]
        try:
            yield
        finally:
            stop.set()
            if consumers is not None:
                await consumers.broker.stop()
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
    app.include_router(routes_households.router)
    app.include_router(routes_campaigns.router)
    app.include_router(routes_operations.router)
    app.include_router(routes_registrations.router)
    app.include_router(routes_rights.router)
    app.include_router(routes_disclosures.router)
    app.include_router(routes_session.router)
    web.install(app)  # the customer's My data page
    metrics.install(app)  # last: its middleware is the outermost, timing every answer

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
