"""The one place every response passes the field policy: a route class that trims each JSON response to
the fields the user's roles may see, and writes the read to the audit log (who, which persons, which
fields, purpose, when) before anything is sent. An operation says in its OpenAPI `x-audit` whether it is
a read (audited here) or a change (audited with the command it publishes, in one transaction).

A read that shows no one is audited too where the asking itself matters: a search that found nobody (who
looked for whom is the point of the audit, found or not), and reads of the audit log and the retention runs
(who watched the watchers), a household's Bonus month, the tax report and the opening of a dead letter."""
from __future__ import annotations

from typing import Any, Callable

import orjson
from fastapi import Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute

from services.register_api.adapters import audit_log
from services.register_api.application.extract_document import render_html
from services.register_api.domain.access import valid_person_id
from services.register_api.domain.field_policy import disclose
from services.register_api.entrypoints.edge import EXTRACT_HTML_HEADERS

HTML_RENDERERS: dict[str, Callable[[Any], str]] = {"download_extract": render_html}
ALWAYS_AUDITED = frozenset({"search_persons", "audit_log", "retention_runs", "household_bonus_month",
                            "household_bonus_month_to_date", "tax_report", "open_dead_letter"})


class OrjsonResponse(JSONResponse):
    def render(self, content) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def person_ids_in(document) -> set[str]:
    """Every person a document shows something of (any `person_id`, at any depth)."""
    found: set[str] = set()
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if isinstance(value.get("person_id"), str):
                found.add(value["person_id"])
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


async def _audit_read(request: Request, operation: str, persons: set[str], fields: frozenset[str]) -> None:
    principal = request.state.principal
    entry = audit_log.AuditEntry(principal.user, tuple(principal.roles), "read", operation, tuple(persons),
                                 tuple(fields), getattr(request.state, "purpose", "unspecified"))
    async with request.app.state.api.own.acquire() as conn:
        await audit_log.append(conn, entry)


class PolicedRoute(APIRoute):
    def get_route_handler(self):
        handler = super().get_route_handler()
        audited = (self.openapi_extra or {}).get("x-audit") == "read"
        operation, renderer = self.name, HTML_RENDERERS.get(self.name)

        async def policed(request: Request) -> Response:
            response = await handler(request)
            principal = getattr(request.state, "principal", None)
            if principal is None or not 200 <= response.status_code < 300 or response.media_type != "application/json":
                return response
            disclosure = disclose(orjson.loads(response.body), principal.roles)
            persons = person_ids_in(disclosure.document) | {
                p for p in [request.path_params.get("person_id"), request.query_params.get("person_id")]
                if valid_person_id(p)}
            if audited and ((persons and disclosure.fields) or operation in ALWAYS_AUDITED):
                await _audit_read(request, operation, persons, disclosure.fields)
            if renderer is not None and request.query_params.get("format") == "html":
                return HTMLResponse(renderer(disclosure.document), headers=EXTRACT_HTML_HEADERS)
            return OrjsonResponse(disclosure.document, status_code=response.status_code)

        return policed
