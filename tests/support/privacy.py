"""Erasure and retention in the integration tier, handed on by the test as Kafka would hand them: the requests
the register API staged in its outbox go to every service's own privacy duties (each on its own pool), their
reports staged in the services' outboxes go back to the API. Real handlers, real PostgreSQL; the way across
Kafka is the end-to-end tier's (tests/e2e/test_erasure.py)."""
from __future__ import annotations

import orjson

from contracts.envelope import Envelope
from contracts.topics import (
    PRIVACY_ERASURE_REPORTS,
    PRIVACY_ERASURE_REQUESTS,
    PRIVACY_RETENTION_REPORTS,
    PRIVACY_RETENTION_REQUESTS,
)
from services.register_api.application import erasure, retention_run
from services.register_api.application.context import RegisterApi
from services.registry import SERVICES
from shared.delivery import Incoming
from shared.outbox import header_pairs

_handed: set[str] = set()


async def _take(pool, topic) -> list[Incoming]:
    """The events staged on `topic` in this schema's outbox that were not handed on yet."""
    rows = await pool.fetch("SELECT value, headers::text AS headers FROM outbox WHERE topic = $1 ORDER BY seq",
                            topic.name)
    taken = []
    for row in rows:
        envelope = Envelope.from_headers(header_pairs(row["headers"]), topic.name, bytes(row["value"]))
        if envelope.id not in _handed:
            _handed.add(envelope.id)
            taken.append(Incoming.handed(topic.model.model_validate(orjson.loads(row["value"])), envelope))
    return taken


async def hand_on(settings, own, pools) -> None:
    """Until nothing moves: requests to the services, their reports to the API."""
    api = RegisterApi.build(settings, own)
    try:
        while True:
            moved = 0
            for requests, reports, service_side, api_side in (
                    (PRIVACY_ERASURE_REQUESTS, PRIVACY_ERASURE_REPORTS, "on_erasure_requests", erasure),
                    (PRIVACY_RETENTION_REQUESTS, PRIVACY_RETENTION_REPORTS, "on_retention_requests", retention_run)):
                staged = await _take(own, requests)
                for name, service in SERVICES.items():
                    duties = service.privacy(settings)
                    if staged:
                        async with pools[name].acquire() as conn, conn.transaction():
                            await getattr(duties, service_side)(conn, staged)
                    answered = await _take(pools[name], reports)
                    if answered:
                        async with own.acquire() as conn, conn.transaction():
                            await api_side.when_services_report(api, conn, answered)
                    moved += len(answered)
                moved += len(staged)
            if not moved:
                return
    finally:
        await api.services.close()
