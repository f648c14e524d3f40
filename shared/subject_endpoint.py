"""A service's HTTP endpoint: `/health`, `/ready` and `/metrics` for operators, and `POST /subjects/<query>`
through which the register API reads the service's part of a person (`contracts.subjects`).

The subject queries answer only a caller holding a token signed with the deployment's service token key
(`COOPREG_SECRET_SERVICE_TOKEN_KEY`), naming this service as its audience and valid for a minute: the
register API, which audits every read before it passes anything on. A query runs against the service's
own pool, with its own read functions; nothing here knows another service.
"""
from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Awaitable, Callable

import asyncpg
import jwt
import orjson
import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from contracts.subjects import QUERIES, Part, Query
from shared.db import Connection
from shared.logging import get_logger

if TYPE_CHECKING:
    from shared.observability import Observability

log = get_logger(component="subject-endpoint")

ISSUER = "coopreg-register-api"
TOKEN_TTL = timedelta(seconds=60)
MAX_BODY_BYTES = 64 * 1024
# How long an idle connection from the register API stays open: longer than the API's client keeps one
# (uvicorn's 5 s equals httpx's, so each side could close it as the other sent a request on it).
KEEP_ALIVE_SECONDS = 30.0
Answer = Callable[[Connection, Query], Awaitable[Query]]


def audience(service: str) -> str:
    return f"coopreg-service:{service}"


def service_token(key: str, service: str, now: datetime | None = None) -> str:
    """What the register API sends to `service`: short-lived, for that service only."""
    now = now or datetime.now(timezone.utc)
    return jwt.encode({"iss": ISSUER, "aud": audience(service), "iat": now, "exp": now + TOKEN_TTL},
                      key, algorithm="HS256")


def _authorised(request: Request, key: str, service: str) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        return False
    try:
        jwt.decode(token, key, algorithms=["HS256"], audience=audience(service), issuer=ISSUER,
                   options={"require": ["exp", "iat", "aud", "iss"]})
    except jwt.PyJWTError:
        return False
    return True


def _json(status: int, body: object) -> Response:
    return Response(orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), status_code=status,
                    media_type="application/json", headers={"Cache-Control": "no-store"})


def _encoded(answer: Query) -> bytes:
    """A person's part is thousands of rows as the service read them: orjson encodes them in one pass (dates,
    times and decimals as text), where the model would walk every value as `Any`."""
    if isinstance(answer, Part):
        return orjson.dumps({"sections": answer.sections}, default=str, option=orjson.OPT_NON_STR_KEYS)
    return answer.model_dump_json().encode()


@dataclass
class SubjectEndpoint:
    service: str
    pool: asyncpg.Pool
    answers: dict[str, Answer]
    token_key: str
    observability: Observability | None = None  # when metrics are served

    async def subject(self, request: Request) -> Response:
        name = request.path_params["query"]
        if not _authorised(request, self.token_key, self.service):
            return _json(401, {"error": "unauthorised"})
        if name not in self.answers:
            return _json(404, {"error": "no_such_query"})
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return _json(413, {"error": "too_large"})
        request_model, response_model = QUERIES[name]
        try:
            query = request_model.model_validate_json(body)
        except ValidationError as error:
            return _json(422, {"error": "invalid", "detail": error.errors(include_input=False, include_url=False)})
        async with self.pool.acquire() as conn:
            answer = await self.answers[name](conn, query)
        log.debug("subject query answered", query=name)  # never the person or the answer
        return Response(_encoded(response_model.model_validate(answer)), media_type="application/json",
                        headers={"Cache-Control": "no-store"})

    async def health(self, request: Request) -> Response:
        return Response(b"ok\n", media_type="text/plain")

    async def ready(self, request: Request) -> Response:
        if self.observability is None:
            return Response(b"ready\n", media_type="text/plain")
        ok, why = await self.observability.ready()
        return Response(f"{why}\n".encode(), status_code=200 if ok else 503, media_type="text/plain")

    async def metrics(self, request: Request) -> Response:
        if self.observability is None:
            return Response(b"not found\n", status_code=404, media_type="text/plain")
        return Response((await self.observability.metrics()).encode(), media_type="text/plain; version=0.0.4")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/health", self.health), Route("/ready", self.ready),
                                 Route("/metrics", self.metrics),
                                 Route("/subjects/{query}", self.subject, methods=["POST"])])


class _QuietServer(uvicorn.Server):
    """uvicorn inside a service: the service handles the signals and says when to stop."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield


async def serve(app, host: str, port: int, stop: asyncio.Event, started: asyncio.Event | None = None) -> None:
    """Serve `app` until `stop`; `port` 0 takes a free port (read it from `started_port`)."""
    server = _QuietServer(uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                                         lifespan="off", timeout_keep_alive=int(KEEP_ALIVE_SECONDS)))
    task = asyncio.create_task(server.serve())
    while not server.started and not task.done():
        await asyncio.sleep(0.02)
    if task.done():
        task.result()  # the reason it could not start
    app.state.port = server.servers[0].sockets[0].getsockname()[1]
    log.info("service endpoint listening", port=app.state.port)
    if started is not None:
        started.set()
    await stop.wait()
    server.should_exit = True
    await task
