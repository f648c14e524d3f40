"""The register API's `/metrics`: its requests by method, route template and status, counted and timed
(`shared.observability.RequestMetrics`), and the process's CPU, memory and open files. Like the services'
endpoints it is unauthenticated and carries no personal data; deployments keep it to Prometheus
(deploy/k8s/networkpolicies.yaml)."""
from __future__ import annotations

import time

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from shared.observability import RequestMetrics, process_lines

SERVICE = "register-api"
UNMATCHED = "unmatched"  # a path no route serves: one series, not one per path tried


class MeasureRequests:
    """Pure ASGI, outermost: it sees every answer, those of the rate limits and the error guard too."""

    def __init__(self, app, metrics: RequestMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began, status = time.perf_counter(), 500

        async def sending(message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = scope.get("route")
            self.metrics.observe(scope["method"], getattr(route, "path", None) or UNMATCHED, status,
                                 time.perf_counter() - began)


def install(app: FastAPI) -> RequestMetrics:
    metrics = RequestMetrics(SERVICE)

    @app.get("/metrics", include_in_schema=False)
    async def prometheus() -> PlainTextResponse:
        body = "\n".join([*metrics.lines(), *process_lines(service=SERVICE)]) + "\n"
        return PlainTextResponse(body, media_type="text/plain; version=0.0.4")

    app.add_middleware(MeasureRequests, metrics=metrics)
    return metrics
