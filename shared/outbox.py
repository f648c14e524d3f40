"""The transactional outbox: events are written with the state change and relayed to Kafka afterwards.

One relay runs per service schema at a time (a PostgreSQL advisory lock elects it), so events leave in
the order they were written. A crash between sending and deleting re-sends a tail of events; consumers
deduplicate by event id, so that costs nothing but bandwidth.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from functools import partial

import asyncpg
import orjson
from pydantic import BaseModel

from contracts.envelope import ATTRIBUTES, PREFIX, Envelope
from shared import tracing
from shared.jobs import elected, periodically
from shared.latency import RelayTimings
from shared.logging import get_logger
from shared.record_batches import Message, send_in_batches


@dataclass(frozen=True)
class OutgoingEvent:
    """One event to publish; `data` None is a tombstone (a null value: on a compacted topic it removes
    the key), which still carries its envelope in the headers."""

    topic: str
    key: str | None
    envelope: Envelope
    data: BaseModel | None

    def row(self) -> tuple:
        headers = [*self.envelope.headers(), *tracing.staged_headers()]  # and the trace context, if on
        value = self.data.model_dump_json().encode() if self.data is not None else None
        return (self.topic, self.key.encode() if self.key is not None else None, value, stored_headers(headers))


def header_parts(headers: list[tuple[str, bytes]]) -> list[str]:
    """Headers as one flat list, name, value, name, value, …: how the outbox keeps them."""
    return [part for name, value in headers for part in (name, value.decode())]


def stored_headers(headers: list[tuple[str, bytes]]) -> str:
    """Headers as the outbox keeps them: `header_parts` as a JSON array."""
    return orjson.dumps(header_parts(headers)).decode()


def header_pairs(stored: str) -> list[tuple[str, bytes]]:
    """The Kafka headers of an outbox row's `headers`; a header whose value is null is left out (SQL
    that builds events writes null for an attribute an event does not have)."""
    parts = iter(orjson.loads(stored))
    return [(name, value.encode()) for name, value in zip(parts, parts, strict=True) if value is not None]


def envelope_headers_sql(further: str = "ARRAY[]::text[]", **attributes: str) -> str:
    """SQL for the headers of events built where their rows are (an INSERT INTO outbox ... SELECT), as
    `stored_headers` writes them, in the envelope's order. `attributes` maps envelope attributes
    (contracts/envelope.py) to SQL text expressions, null where an event has no such attribute;
    specversion is the envelope's own. `further`: a text[] of more names and values (the trace context)."""
    sql = {"specversion": "'1.0'", **attributes}
    unknown = set(sql) - set(ATTRIBUTES)
    if unknown:
        raise ValueError(f"not envelope attributes: {sorted(unknown)}")
    parts = ", ".join(f"'{PREFIX}{name}', {sql[name]}" for name in ATTRIBUTES if name in sql)
    return f"array_to_json(ARRAY[{parts}]::text[] || {further})"


async def add(conn: asyncpg.Connection, events: list[OutgoingEvent]) -> None:
    """Stage events in the caller's transaction."""
    if events:
        await conn.copy_records_to_table("outbox", records=[e.row() for e in events],
                                         columns=["topic", "key", "value", "headers"])


class OutboxRelay:
    def __init__(self, pool: asyncpg.Pool, producer, schema: str, batch: int = 2000, poll_ms: int = 50,
                 topic_prefix: str = "", published: Counter[str] | None = None):
        self.pool, self.producer, self.schema, self.prefix = pool, producer, schema, topic_prefix
        self.batch, self.poll = batch, poll_ms / 1000
        self.timings = RelayTimings(published)  # outbox lag and events per topic, for /metrics
        self.log = get_logger(component="outbox-relay", schema=schema)

    async def run(self, stop: asyncio.Event) -> None:
        async with elected(self.pool, f"outbox:{self.schema}", stop) as lock_conn:
            if lock_conn is not None:
                await periodically(stop, self.poll, partial(self.relay_once, lock_conn),
                                   more=lambda sent: sent >= self.batch)

    async def relay_once(self, conn: asyncpg.Connection | None = None) -> int:
        """Send the next batch. `run` relays on the session that holds the election: when a database
        restart ends that session (and the lock with it), relaying fails and the relay is elected anew,
        instead of going on beside the relay of another instance."""
        if conn is None:
            async with self.pool.acquire() as conn:
                return await self.relay_once(conn)
        rows = await conn.fetch("SELECT seq, topic, key, value, headers, created_at FROM outbox ORDER BY seq LIMIT $1",
                                self.batch)
        if not rows:
            return 0
        await publish(self.producer, self.schema, [
            (self.prefix + r["topic"], r["key"], r["value"], header_pairs(r["headers"])) for r in rows])
        # Exactly the rows sent: a row with a lower seq may commit later and must not be lost.
        await conn.execute("DELETE FROM outbox WHERE seq = ANY($1::bigint[])", [r["seq"] for r in rows])
        self.timings.observe(rows)
        return len(rows)

    async def backlog(self) -> int:
        return await self.pool.fetchval("SELECT count(*) FROM outbox")


async def publish(producer, schema: str, messages: list[Message]) -> None:
    """Send messages of a service's schema and wait for the broker's acknowledgements: as record batches
    (a month close publishes millions), in one producer span when tracing is on."""
    with tracing.publishing(schema, len(messages)) as stamp:
        if stamp is not tracing.unchanged:
            messages = [(topic, key, value, stamp(headers)) for topic, key, value, headers in messages]
        await send_in_batches(producer, messages)
