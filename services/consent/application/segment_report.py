"""What operators see of the segments (`coopreg segments list | inspect`): definitions, where each stands and
how many people it carries — counts only, never who."""
from __future__ import annotations

import orjson

from contracts.events.marketing import segment_topic
from services.consent.adapters import segments
from shared.db import Connection


def status(row) -> str:
    if row["retired_at"] is not None:
        return "retired"
    if not row["topic_ready"]:
        return "waiting for its topic"
    return "live" if row["populated_version"] == row["version"] else "evaluating"


async def overview(conn: Connection) -> list[dict]:
    return [{"name": row["name"], "purpose": orjson.loads(row["definition"])["purpose"],
             "channel": orjson.loads(row["definition"])["channel"], "version": row["version"],
             "status": status(row), "members": row["members"]} for row in await segments.listing(conn)]


async def detail(conn: Connection, name: str) -> dict | None:
    row = next((r for r in await segments.listing(conn) if r["name"] == name), None)
    if row is None:
        return None
    return {"name": name, "topic": segment_topic(name), "status": status(row), "version": row["version"],
            "members": row["members"], "defined_at": row["defined_at"].isoformat(),
            "refreshed_at": row["refreshed_at"].isoformat() if row["refreshed_at"] else None,
            "retired_at": row["retired_at"].isoformat() if row["retired_at"] else None,
            "definition": orjson.loads(row["definition"])}
