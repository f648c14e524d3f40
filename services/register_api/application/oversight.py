"""Use cases of oversight: the audit log for auditors and the data protection officer, the retention runs,
and a retention run on request."""
from __future__ import annotations

from datetime import datetime

from services.register_api.adapters import audit_log, records
from services.register_api.application.context import RegisterApi
from services.register_api.application.retention_run import run_retention
from services.register_api.domain.access import Principal, check_scope


async def audit_entries(api: RegisterApi, principal: Principal, *, person_id: str | None = None,
                        actor: str | None = None, since: datetime | None = None, limit: int = 100) -> dict:
    check_scope(principal, "audit:read")
    async with api.own.acquire() as conn:
        rows = await audit_log.entries(conn, person_id=person_id, actor=actor, since=since, limit=limit)
    return {"items": [{"audit": {**dict(r), "roles": list(r["roles"]), "person_ids": list(r["person_ids"]),
                                 "fields": list(r["fields"])}} for r in rows]}


async def retention_runs(api: RegisterApi, principal: Principal, limit: int = 20) -> dict:
    check_scope(principal, "retention:run")
    async with api.own.acquire() as conn:
        return {"items": [{"retention": run} for run in await records.runs(conn, limit)]}


async def start_retention_run(api: RegisterApi, principal: Principal) -> dict:
    check_scope(principal, "retention:run")
    return {"retention": await run_retention(api, principal.user)}
