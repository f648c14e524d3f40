"""Driving the membership use cases on the real PostgreSQL, as the delivery pipeline does: one
transaction per call, rolled back when a message is refused."""
from __future__ import annotations

import orjson
import pytest

from contracts.events.membership import MembershipCommand
from contracts.topics import Topic
from services.membership.application.commands import handle_commands
from shared.delivery import Rejected
from tests.support.factories import incoming


async def run(pool, config, *commands) -> None:
    """Handle commands in order, in one transaction (a batch)."""
    async with pool.acquire() as conn, conn.transaction():
        await handle_commands(conn, [incoming(MembershipCommand(c)) for c in commands], config)


async def handle(pool, handler, *payloads, config) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await handler(conn, [incoming(p) for p in payloads], config)


async def refusal(pool, config, command) -> str:
    """The reason a command is refused with."""
    with pytest.raises(Rejected) as refused:
        await run(pool, config, command)
    return refused.value.reason


async def events(pool, topic: Topic, key: str) -> list[dict]:
    rows = await pool.fetch("SELECT value FROM outbox WHERE topic = $1 AND key = $2 ORDER BY seq",
                            topic.name, key.encode())
    return [orjson.loads(r["value"]) if r["value"] is not None else None for r in rows]  # None: a tombstone


async def latest(pool, topic: Topic, key: str) -> dict:
    found = await events(pool, topic, key)
    assert found, f"nothing published on {topic.name} for this key"
    return found[-1]


async def table_dump(pool) -> str:
    """Every row of every table of the service's schema, as text."""
    tables = await pool.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    texts = [await pool.fetchval(f'SELECT coalesce(string_agg(t::text, \' \'), \'\') FROM "{r["tablename"]}" t')
             for r in tables]
    outbox = await pool.fetch("SELECT coalesce(convert_from(value, 'UTF8'), '') AS v, headers::text AS h"
                              " FROM outbox")  # a tombstone has no value
    return " ".join(texts + [r["v"] + r["h"] for r in outbox])


async def counts(pool, *tables: str, where: str = "", args=()) -> dict[str, int]:
    return {t: await pool.fetchval(f"SELECT count(*) FROM {t} {where}", *args) for t in tables}
