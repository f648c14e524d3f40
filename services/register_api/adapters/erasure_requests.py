"""Erasure requests and the services' reports on them, and the reports of retention runs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import orjson

from shared.db import Connection, one_row


@dataclass(frozen=True)
class ErasureRequest:
    request_id: str
    person_id: str
    reason: str
    requested_by: str
    requested_at: datetime
    completed_at: datetime | None


@dataclass(frozen=True)
class ServiceReport:
    service: str
    rows: dict
    done_at: datetime


def _request(row) -> ErasureRequest:
    return ErasureRequest(row["request_id"], row["person_id"], row["reason"], row["requested_by"],
                          row["requested_at"], row["completed_at"])


async def open_request(conn: Connection, person_id: str) -> ErasureRequest:
    """The person's open request, which `add` has just found standing. Only the last service's report completes
    it; one landing between the two statements is said at once rather than handed on as None."""
    return _request(await one_row(
        conn, "SELECT * FROM erasure_requests WHERE person_id = $1 AND completed_at IS NULL", person_id))


async def latest_request(conn: Connection, person_id: str) -> ErasureRequest | None:
    """The person's latest request, open or completed."""
    row = await conn.fetchrow("SELECT * FROM erasure_requests WHERE person_id = $1"
                              " ORDER BY completed_at IS NULL DESC, requested_at DESC LIMIT 1", person_id)
    return _request(row) if row else None


async def add(conn: Connection, request: ErasureRequest) -> bool:
    """Record the request; False when the person already has one open (that one stands)."""
    done = await conn.execute(
        "INSERT INTO erasure_requests (request_id, person_id, reason, requested_by, requested_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) WHERE completed_at IS NULL DO NOTHING",
        request.request_id, request.person_id, request.reason, request.requested_by, request.requested_at)
    return done.endswith(" 1")


async def request(conn: Connection, request_id: str, *, lock: bool = False) -> ErasureRequest | None:
    row = await conn.fetchrow("SELECT * FROM erasure_requests WHERE request_id = $1" + (" FOR UPDATE" if lock else ""),
                              request_id)
    return _request(row) if row else None


async def add_report(conn: Connection, request_id: str, service: str, rows: dict, done_at: datetime) -> None:
    await conn.execute("INSERT INTO erasure_reports (request_id, service, rows, done_at) VALUES ($1, $2, $3, $4)"
                       " ON CONFLICT DO NOTHING", request_id, service, orjson.dumps(rows).decode(), done_at)


async def reports(conn: Connection, request_id: str) -> list[ServiceReport]:
    rows = await conn.fetch("SELECT service, rows::text AS rows, done_at FROM erasure_reports WHERE request_id = $1"
                            " ORDER BY service", request_id)
    return [ServiceReport(r["service"], orjson.loads(r["rows"]), r["done_at"]) for r in rows]


async def complete(conn: Connection, request_id: str, at: datetime) -> None:
    await conn.execute("UPDATE erasure_requests SET completed_at = $2 WHERE request_id = $1", request_id, at)


async def add_retention_report(conn: Connection, run_id: str, service: str, erased: dict,
                               relationships_ended: int, done_at: datetime) -> bool:
    done = await conn.execute(
        "INSERT INTO retention_reports (run_id, service, erased, relationships_ended, done_at)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        run_id, service, orjson.dumps(erased).decode(), relationships_ended, done_at)
    return done.endswith(" 1")


async def retention_reports(conn: Connection, run_id: str) -> dict[str, dict]:
    rows = await conn.fetch("SELECT service, erased::text AS erased, relationships_ended FROM retention_reports"
                            " WHERE run_id = $1", run_id)
    return {r["service"]: {"erased": orjson.loads(r["erased"]), "relationships_ended": r["relationships_ended"]}
            for r in rows}


async def run_is_open(conn: Connection, run_id: str) -> bool:
    return bool(await conn.fetchval("SELECT finished_at IS NULL FROM retention_runs WHERE run_id = $1 FOR UPDATE",
                                    run_id))
