"""The API's edge: rate limits (per client address here, per user in `auth`), the headers every answer
carries (personal data is never cached, nothing is framed or loaded from elsewhere), and the OpenAPI docs
with their script and style served from the installed package rather than a CDN."""
from __future__ import annotations

import base64
import hashlib
import math
import re
import time
from dataclasses import dataclass
from importlib.resources import files
from typing import Callable, Hashable

from fastapi import APIRouter, FastAPI, HTTPException
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import Response

from services.register_api.application.extract_document import STYLE
from shared.settings import ApiSettings

SECONDS_PER_MINUTE = 60.0
# On every answer that does not set its own: the JSON of the API is personal data, so no cache keeps it,
# and a browser opening it runs nothing and frames nothing.
HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}


def _sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# The HTML register extract: its one inline style, pinned by hash; no script at all.
EXTRACT_HTML_HEADERS = {
    **HEADERS,
    "content-security-policy": f"default-src 'none'; style-src {_sha256_source(STYLE)}; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
}


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """Token buckets by key: `per_minute` requests a minute, in bursts of up to as many; 0 means no limit.
    In memory, per process: with N instances a client gets at most N times the limit (the load balancer
    spreads them), which still stops a flood. Idle buckets are dropped so addresses cannot fill memory."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 100_000) -> None:
        self.per_minute, self.clock, self.max_keys = per_minute, clock, max_keys
        self.rate = per_minute / SECONDS_PER_MINUTE
        self.buckets: dict[Hashable, _Bucket] = {}

    def take(self, key: Hashable) -> float:
        """0 when the request may go ahead (one token taken), else the seconds until one may."""
        if self.per_minute <= 0:
            return 0.0
        now = self.clock()
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_keys:
                self._forget_idle(now)
            bucket = self.buckets[key] = _Bucket(float(self.per_minute), now)
        bucket.tokens = min(float(self.per_minute), bucket.tokens + (now - bucket.at) * self.rate)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.rate

    def _forget_idle(self, now: float) -> None:
        """Drop the buckets full again (as good as new); if that frees nothing, the older half."""
        full = SECONDS_PER_MINUTE
        idle = [key for key, bucket in self.buckets.items() if now - bucket.at >= full]
        for key in idle or list(self.buckets)[: len(self.buckets) // 2]:
            del self.buckets[key]


class RateLimited(Exception):
    """Too many requests; `retry_after` seconds until the next may go."""

    def __init__(self, retry_after: float) -> None:
        super().__init__("too many requests")
        self.retry_after = retry_after


def retry_after_header(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


class Edge:
    """Outer ASGI middleware: a client address over its limit is answered 429 before anything else (a
    flood of bad tokens included), and each answer gets the `HEADERS` it does not set itself."""

    def __init__(self, app, limiter: RateLimiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        client = scope.get("client")
        wait = self.limiter.take(client[0] if client else "unknown")
        if wait:
            body = b'{"error":"rate_limited","detail":"too many requests from this address"}'
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                (b"retry-after", retry_after_header(wait).encode()),
                *((k.encode(), v.encode()) for k, v in HEADERS.items())]})
            return await send({"type": "http.response.body", "body": body})

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(
                    (k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)


# -- the OpenAPI docs, their assets from the installed fastapi-offline package ---------------------------

DOCS = "/docs"
DOCS_ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8",
               "favicon.png": "image/png"}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_router(openapi_url: str, title: str) -> APIRouter:
    """Swagger UI at /docs with every file from here: its script and style, and the one inline script that
    starts it pinned by hash in the page's content-security policy."""
    static = files("fastapi_offline") / "static"
    assets = {name: (static.joinpath(name).read_bytes(), media) for name, media in DOCS_ASSETS.items()}
    body = get_swagger_ui_html(openapi_url=openapi_url, title=title,
                               swagger_js_url=f"{DOCS}/assets/swagger-ui-bundle.js",
                               swagger_css_url=f"{DOCS}/assets/swagger-ui.css",
                               swagger_favicon_url=f"{DOCS}/assets/favicon.png").body
    page = bytes(body).decode()
    scripts = " ".join(_sha256_source(script) for script in _INLINE_SCRIPT.findall(page))
    page_headers = {**HEADERS, "cache-control": "no-cache",
                    "content-security-policy": f"default-src 'none'; script-src 'self' {scripts}; "
                                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                               "connect-src 'self'; base-uri 'none'; form-action 'none'; "
                                               "frame-ancestors 'none'"}
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS)
    async def docs_page() -> Response:
        return Response(page, media_type="text/html; charset=utf-8", headers=page_headers)

    @router.get(DOCS + "/assets/{name}")
    async def docs_asset(name: str) -> Response:
        if name not in assets:
            raise HTTPException(404, "no such file")
        content, media_type = assets[name]
        return Response(content, media_type=media_type, headers={**HEADERS, "cache-control": "max-age=3600"})

    return router


def install(app: FastAPI, settings: ApiSettings) -> None:
    """The per-user limiter (taken in `auth.current_principal`), the per-address middleware and the docs."""
    app.state.principal_limiter = RateLimiter(settings.rate_limit_per_principal)
    app.add_middleware(Edge, limiter=RateLimiter(settings.rate_limit_per_address))
    app.include_router(docs_router(app.openapi_url or "/openapi.json", app.title))
