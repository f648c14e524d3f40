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
from typing import Protocol, Sequence

import asyncpg
import orjson
from pydantic import BaseModel

from contracts.envelope import Envelope
from shared import tracing
from shared.db import Connection
from shared.jobs import elected, periodically
from shared.latency import RelayTimings
from shared.logging import get_logger
from shared.record_batches import Message, send_in_batches


class Staged(Protocol):
    """What the outbox stages: an event, or a row made ready elsewhere (sealed, for one)."""

    def row(self) -> tuple: ...


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


async def add(conn: Connection, events: Sequence[Staged]) -> None:
    """Stage events in the caller's transaction."""
    await add_rows(conn, [e.row() for e in events])


async def add_rows(conn: Connection, rows: list[tuple]) -> None:
    """Stage events already made into rows (topic, key, value, headers: `OutgoingEvent.row`) in the caller's
    transaction; for a use case that makes many events of one kind without a model for each."""
    if rows:
        await conn.copy_records_to_table("outbox", records=rows, columns=["topic", "key", "value", "headers"])


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

    async def relay_once(self, conn: Connection | None = None) -> int:
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


async def staged(conn: Connection, schema: str) -> int:
    """Events of `schema`'s outbox not yet relayed (the operator's tools wait for it to empty)."""
    if not schema.isidentifier():
        raise ValueError(f"not a schema name: {schema!r}")
    return await conn.fetchval(f"SELECT count(*) FROM {schema}.outbox")
