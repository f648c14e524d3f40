"""Retention runs and erasures: what the register erased, when and for whom."""
from __future__ import annotations

from datetime import datetime

import orjson

from shared.db import Connection


def _json(value) -> str:
    return orjson.dumps(value, default=str).decode()


async def start_run(conn: Connection, run_id: str, at: datetime, requested_by: str, cutoffs: dict) -> None:
    await conn.execute("INSERT INTO retention_runs (run_id, started_at, requested_by, cutoffs) VALUES ($1, $2, $3, $4)",
                       run_id, at, requested_by, _json(cutoffs))


async def finish_run(conn: Connection, run_id: str, at: datetime, report: dict) -> None:
    await conn.execute("UPDATE retention_runs SET finished_at = $2, report = $3 WHERE run_id = $1",
                       run_id, at, _json(report))


async def runs(conn: Connection, limit: int) -> list[dict]:
    rows = await conn.fetch("SELECT run_id, started_at, finished_at, requested_by, cutoffs::text AS cutoffs,"
                            " report::text AS report FROM retention_runs ORDER BY started_at DESC LIMIT $1", limit)
    return [{**dict(r), "cutoffs": orjson.loads(r["cutoffs"]),
             "report": orjson.loads(r["report"]) if r["report"] else None} for r in rows]


async def record_erasure(conn: Connection, person_id: str, at: datetime, requested_by: str, reason: str,
                         report: dict) -> None:
    await conn.execute("INSERT INTO erasures (person_id, erased_at, requested_by, reason, report)"
                       " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) DO NOTHING",
                       person_id, at, requested_by, reason, _json(report))
