"""`coopreg bench dsar`: how long a register extract (right of access) takes for a person with two years of
purchases — gathered from every service's read endpoint, sealed and tracked; then downloaded over HTTP."""
from __future__ import annotations

import statistics
import time
from datetime import datetime, timezone

from fastapi.testclient import TestClient

from coopreg.bench.environment import isolated_settings
from coopreg.service_endpoints import ServiceEndpoints
from coopreg.simulate.person_history import seed_person_history
from services.register_api.application.extract import build_extract
from services.register_api.entrypoints.app import close_register_api, create_app, open_register_api
from services.register_api.entrypoints.auth import issue_token
from services.registry import SERVICES
from shared.runtime import open_pool

TARGET_MS = 1000


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


async def bench_dsar(days: int, receipts_per_day: int, rounds: int, say) -> dict:
    settings = await isolated_settings("dsar")
    pools = {name: await open_pool(settings, SERVICES[name]) for name in ("membership", "cards", "purchases", "bonus")}
    say(f"seeding a member with {days} days × {receipts_per_day} receipts through the services' use cases")
    started = time.perf_counter()
    person = await seed_person_history(pools, settings, datetime.now(timezone.utc), days=days,
                                       receipts_per_day=receipts_per_day, seed=7)
    seeded_s = round(time.perf_counter() - started, 1)
    for pool in pools.values():
        await pool.close()
    # the services' own endpoints, asked over HTTP on loopback as the API asks them in production
    endpoints = ServiceEndpoints(settings).start()
    settings.api.service_urls = endpoints.urls
    api = await open_register_api(settings)
    try:
        gathered = []
        for _ in range(rounds):
            started = time.perf_counter()
            extract = await build_extract(api, person.person_id)
            gathered.append(_ms(started))
    finally:
        await close_register_api(api)
    say("requesting and downloading the extract over HTTP")
    try:
        http = _over_http(settings, person.person_id, rounds)
    finally:
        endpoints.stop()
    return {"person_receipts": len(extract["purchases"]), "bonus_bookings": len(extract["bonus"]["bookings"]),
            "sections": len(extract) - 1, "seed_s": seeded_s, "gather_ms_p50": statistics.median(gathered),
            "gather_ms_max": max(gathered), **http, "target_ms": TARGET_MS,
            "within_target": max(http["request_ms_max"], http["download_ms_max"]) <= TARGET_MS}


def _over_http(settings, person_id: str, rounds: int) -> dict:
    token = issue_token(settings.api, "bench", ["data_subject"], person_id)
    headers = {"Authorization": f"Bearer {token}"}
    requests, downloads, size = [], [], 0
    with TestClient(create_app(settings, background=False)) as client:
        for _ in range(rounds):
            started = time.perf_counter()
            tracked = client.post(f"/persons/{person_id}/extract-requests", headers=headers)
            requests.append(_ms(started))
            request_id = tracked.json()["extract_request"]["request_id"]
            started = time.perf_counter()
            document = client.get(f"/extract-requests/{request_id}/document", headers=headers)
            downloads.append(_ms(started))
            size = len(document.content)
    return {"request_ms_p50": statistics.median(requests), "request_ms_max": max(requests),
            "download_ms_p50": statistics.median(downloads), "download_ms_max": max(downloads),
            "extract_bytes": size}
