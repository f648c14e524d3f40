"""Staff commands through the register API, as any other client: the CLI runs the API's own app in-process
(its routes, token check, field policy and audit log — nothing bypassed) and calls it with a bearer token
minted for the named staff member and role. Nothing here reads a service's tables."""
from __future__ import annotations

import asyncio
import getpass
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import AsyncIterator

import httpx

from services.register_api.domain.access import DATA_SUBJECT, ROLE_SCOPES
from shared.settings import Settings

STAFF_ROLES = tuple(role for role in ROLE_SCOPES if role != DATA_SUBJECT)
TOKEN_TTL = timedelta(minutes=5)
PUBLISH_WAIT_SECONDS = 15.0

# The API's error codes, as sentences with the fix.
FIXES = {
    401: "the register API refused the token; check COOPREG_API_TOKEN_KEY and that COOPREG_API_LOCAL_TOKENS is true",
    403: "the role {role} may not do this; choose a role that may with --role (e.g. customer_service)",
    404: "the register knows no such {what}; check the id",
    400: "the request was refused: {detail}",
    409: "not yet: {detail}",
    422: "the register API refused the input: {detail}",
    503: "PostgreSQL is not answering; is the stack running? Try `coopreg stack up`",
}


class RegisterRefused(LookupError):
    """The register API answered with an error; the message is a sentence with the fix."""


def default_user() -> str:
    """The operator's login name: what the audit log records as the staff member."""
    return getpass.getuser()


def check_role(role: str) -> None:
    if role not in STAFF_ROLES:
        raise ValueError(f"{role!r} is not a staff role; choose one of {', '.join(STAFF_ROLES)}")


class StaffSession:
    def __init__(self, client: httpx.AsyncClient, role: str, api) -> None:
        self.client, self.role = client, role
        self.api = api  # the register API's context

    async def call(self, method: str, path: str, what: str, **kwargs) -> dict:
        response = await self.client.request(method, path, **kwargs)
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {}
            detail = body.get("detail") or body.get("error") or response.reason_phrase
            fix = FIXES.get(response.status_code, "the register API answered {status}: {detail}")
            raise RegisterRefused(fix.format(role=self.role, what=what, detail=detail, status=response.status_code))
        return response.json()

    async def published(self, topic: str, key: str, timeout: float = PUBLISH_WAIT_SECONDS) -> bool:
        """Whether the API's outbox relay (a background session's) has published everything staged on `topic`
        under `key` within `timeout` seconds; otherwise it waits in the outbox for the next relay."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            staged = await self.api.own.fetchval("SELECT count(*) FROM outbox WHERE topic = $1 AND key = $2",
                                                 topic, key.encode())
            if not staged:
                return True
            if asyncio.get_running_loop().time() >= deadline:
                return False
            await asyncio.sleep(0.1)


@asynccontextmanager
async def staff_session(settings: Settings, user: str, role: str, purpose: str | None = None,
                        background: bool = False) -> AsyncIterator[StaffSession]:
    """The register API in-process with a token for `user` in `role` (and the purpose for the audit log);
    `background`: with its outbox relay and the consumer of the services' reports (erasure, retention)."""
    from services.register_api.entrypoints.app import create_app
    from services.register_api.entrypoints.auth import issue_token

    check_role(role)
    app = create_app(settings, background=background)
    headers = {"Authorization": f"Bearer {issue_token(settings.api, user, [role], None, TOKEN_TTL)}"}
    if purpose:
        headers["X-Purpose"] = purpose
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://register-api", headers=headers) as client:
            yield StaffSession(client, role, app.state.api)
