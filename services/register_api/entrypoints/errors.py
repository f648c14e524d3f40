"""Every failure answers with a clear status and a small JSON body `{"error": code, "detail": …}` — never a
stack trace, never the values sent (they may be another person's data)."""
from __future__ import annotations

from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from services.register_api.adapters import audit_log
from services.register_api.adapters.services import ServiceUnavailable
from services.register_api.application.errors import Conflict, Invalid, NotFound
from services.register_api.domain.access import Forbidden, UnknownPurpose, valid_person_id
from services.register_api.domain.sections import UnknownSection
from services.register_api.entrypoints.auth import Unauthenticated
from services.register_api.entrypoints.edge import RateLimited, retry_after_header
from shared.logging import get_logger

ERROR_SCHEMA = {"type": "object", "required": ["error"],
                "properties": {"error": {"type": "string"}, "detail": {}}}
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {"application/json": {"schema": ERROR_SCHEMA}}}
    for status, text in ((400, "Bad request (e.g. a purpose the roles do not have)"),
                         (401, "No valid bearer token"), (403, "The roles do not allow this"),
                         (404, "Not found"), (409, "Conflicts with the current state"),
                         (413, "Request body too large"), (422, "Invalid request"),
                         (429, "Too many requests; retry after `Retry-After` seconds"),
                         (503, "A dependency is unavailable"))}
log = get_logger(component="register-api")


class BodyTooLarge(Exception):
    """The request body grew past the limit while it was read."""


def error(status: int, code: str, detail=None, headers: dict | None = None) -> JSONResponse:
    body = {"error": code} if detail is None else {"error": code, "detail": detail}
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_detail(exc: RequestValidationError) -> list[dict]:
    return [{"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", ""))[:200]}
            for e in exc.errors()][:20]


def install(app: FastAPI) -> None:
    handlers = {
        Unauthenticated: lambda r, e: error(401, e.code, str(e), {"WWW-Authenticate": "Bearer"}),
        RateLimited: lambda r, e: error(429, "rate_limited", str(e),
                                        {"Retry-After": retry_after_header(e.retry_after)}),
        UnknownPurpose: lambda r, e: error(400, "unknown_purpose", str(e)),
        NotFound: lambda r, e: error(404, "not_found", str(e)),
        Conflict: lambda r, e: error(409, e.code, str(e)),
        Invalid: lambda r, e: error(422, e.code, str(e) if e.public else None),
        UnknownSection: lambda r, e: error(422, "unknown_section", str(e)),
        RequestValidationError: lambda r, e: error(422, "invalid_request", _validation_detail(e)),
        HTTPException: _http_error,
        ServiceUnavailable: lambda r, e: error(503, "service_unavailable",
                                               f"the {e.service} service is unavailable; try again"),
    }
    for kind, handler in handlers.items():
        app.add_exception_handler(kind, _async(handler))
    app.add_exception_handler(Forbidden, _refused)  # type: ignore[arg-type]  # Starlette types handlers of Exception only
    for kind in (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, asyncpg.TooManyConnectionsError, OSError):
        app.add_exception_handler(kind, _unavailable)


async def _refused(request: Request, exc: Forbidden) -> JSONResponse:
    """A 403 is audited too: who tried which operation on whom, and for what purpose they said. An attempt
    on others' data is exactly what an audit must show."""
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        route = request.scope.get("route")
        person_id = request.path_params.get("person_id")
        entry = audit_log.AuditEntry(principal.user, tuple(principal.roles), "refused",
                                     getattr(route, "name", "unknown"),
                                     (person_id,) if valid_person_id(person_id) else (), (),
                                     getattr(request.state, "purpose", "unspecified"))
        async with request.app.state.api.own.acquire() as conn:
            await audit_log.append(conn, entry)
    return error(403, "forbidden", str(exc))


def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    if isinstance(exc.__cause__, BodyTooLarge):
        return error(413, "body_too_large")
    return error(exc.status_code, "http_error", str(exc.detail)[:200])


def _async(handler):
    async def handle(request: Request, exc: Exception) -> JSONResponse:
        return handler(request, exc)
    return handle


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("dependency unavailable", error=type(exc).__name__)
    return error(503, "unavailable", "a dependency is unavailable; try again")


class Guard:
    """Outermost ASGI guard: refuses bodies over the limit (413) and turns any unexpected failure into a
    plain 500 without a trace (the log line names the error type only)."""

    def __init__(self, app, max_body_bytes: int) -> None:
        self.app, self.max_body_bytes = app, max_body_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_body_bytes):
            return await _send(send, 413 if declared.isdigit() else 400, b'{"error":"body_too_large"}'
                               if declared.isdigit() else b'{"error":"bad_content_length"}')
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise BodyTooLarge()
            return message

        async def tracked_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await _send(send, 413, b'{"error":"body_too_large"}')
        except Exception as exc:  # noqa: BLE001 - the last resort: no trace and no input leaves the process
            log.error("request failed", error=type(exc).__name__)
            if not started:
                await _send(send, 500, b'{"error":"internal_error"}')


async def _send(send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
