"""Use case: publish each closed household-month's payout and statement, from the statement itself.

The close (close_month.py) writes one statement per household, and the statements are its outbox: this job
reads a month's statements in key order, a batch at a time (the events of a batch in no particular order:
one event per household and month, each key keeps its order), and publishes them as two feeds, each behind a
mark of the month's own. The payouts go first, following the close as it writes (when the month pays
anything, in cash or to the open contribution): they are the money, due by the 10th. The statements follow
once every payout of the closed month is out. A batch is sent, the broker's acknowledgements are waited for
and only then the feed's mark moves. A crash in between sends a tail again with the same ids, content and
time (the statement's), which consumers book once by id, as with the outbox's re-sends. Two outbox rows per
household, written, read and deleted again, were most of a close's work. When the month is closed and all of
it published, its close is announced on bonus.months.v1. One publisher at a time, elected by an advisory
lock.
"""
from __future__ import annotations

import asyncio
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache, partial
from itertools import repeat

import asyncpg

from contracts.envelope import EnvelopeTemplate
from contracts.events.bonus import BonusMonthClosed
from contracts.topics import BONUS_PAYOUTS, BONUS_STATEMENTS, Topic
from services.bonus.adapters import close_publishing, closing
from services.bonus.adapters.close_publishing import RECORD_SEPARATOR, Batch, PendingMonth
from services.bonus.application.close_month import SOURCE, month_closed_event
from services.bonus.domain.months import month_label, payout_due
from shared import outbox
from shared.db import Connection
from shared.jobs import elected, periodically
from shared.outbox import publish
from shared.record_batches import Message


@dataclass(frozen=True)
class ClosedMonth:
    """What every event of a month's close carries besides its statement's figures."""

    month: date
    label: str
    due_on: str
    topic_prefix: str = ""

    @classmethod
    def of(cls, month: date, topic_prefix: str = "") -> "ClosedMonth":
        return cls(month, month_label(month), payout_due(month).isoformat(), topic_prefix)


SENDS_IN_FLIGHT = 2  # batches sent and not yet acknowledged: the broker works on one while the next is sent


@lru_cache(maxsize=128)
def _template(event_type: str, at: datetime) -> EnvelopeTemplate:
    """A feed's envelopes at a statement's time (a close chunk's statements share it)."""
    return EnvelopeTemplate(SOURCE, event_type, at)


@dataclass(frozen=True)
class Feed:
    """One kind of a close's events, read from the statements in key order behind the month's mark of it,
    a batch at a time (close_publishing.Batch); an event's id is `<kind>:<household>:<month>`."""

    name: str  # its mark's (close_publishing.MARKS)
    kind: str
    topic: Topic
    read: Callable[[Connection, ClosedMonth, str, int], Awaitable[Batch | None]]

    def events(self, batch: Batch, closed: ClosedMonth) -> list[Message]:
        """A batch's events, as published."""
        topic, event_type = closed.topic_prefix + self.topic.name, self.topic.event_type
        kind, label = self.kind, closed.label
        events = []
        for at, households, cooperatives, values in batch.groups:
            template, values = _template(event_type, at), values.split(RECORD_SEPARATOR)
            if len(values) != len(households):
                raise ValueError(f"{self.name}: {len(values)} values for {len(households)} households after "
                                 f"splitting on the record separator; an event's value holds it")
            # Not strict: without cooperatives, repeat(None) is endless; the lengths that matter are checked above.
            for household, cooperative, value in zip(households, cooperatives or repeat(None), values, strict=False):
                events.append((topic, household.encode(), value,
                               template.headers(f"{kind}:{household}:{label}", household, cooperative)))
        return events


async def _payouts_after(conn: Connection, closed: ClosedMonth, after: str, limit: int) -> Batch | None:
    return await close_publishing.payouts_after(conn, closed.month, after, limit, closed.label, closed.due_on)


async def _statements_after(conn: Connection, closed: ClosedMonth, after: str,
                            limit: int) -> Batch | None:
    return await close_publishing.statements_after(conn, closed.month, after, limit, closed.label)


PAYOUTS = Feed("payouts", "payout", BONUS_PAYOUTS, _payouts_after)
STATEMENTS = Feed("statements", "statement", BONUS_STATEMENTS, _statements_after)
FEEDS = (PAYOUTS, STATEMENTS)


async def publish_pending(pool: asyncpg.Pool, conn: Connection, producer, topic_prefix: str, batch: int,
                          stop: asyncio.Event | None = None, published: Counter[str] | None = None) -> int:
    """Publish what the closes have written and not yet published; how many statements were read. `conn`:
    the publisher's session (it holds the election), which moves the marks; reads use the pool."""
    read = 0
    for pending in await close_publishing.pending_months(conn):
        read += await publish_next(pool, conn, producer, pending, topic_prefix, batch, stop, published)
    return read


async def publish_next(pool: asyncpg.Pool, conn: Connection, producer, pending: PendingMonth,
                       topic_prefix: str, batch: int, stop: asyncio.Event | None = None,
                       published: Counter[str] | None = None) -> int:
    """A month's payouts as far as the close has written; once every payout of the closed month is out,
    its statements; then its announcement, when all of it is published."""
    closed = ClosedMonth.of(pending.month, topic_prefix)
    if pending.payouts_done:
        read = await publish_feed(pool, conn, producer, closed, STATEMENTS, pending.statements_published_through,
                                  batch, stop, published)
    else:
        read = await publish_feed(pool, conn, producer, closed, PAYOUTS, pending.payouts_published_through,
                                  batch, stop, published)
    await announce_if_closed(conn, pending.month)
    return read


async def announce_if_closed(conn: Connection, month: date) -> BonusMonthClosed | None:
    """Stage the month's close on bonus.months.v1 once it is closed and every statement is published, so
    the announcement never runs ahead of the payouts; once."""
    async with conn.transaction():
        totals = await closing.announce(conn, month)
        if totals is None:
            return None
        done = BonusMonthClosed(month=month_label(month), **dict(totals))
        await outbox.add(conn, [month_closed_event(done)])
    return done


async def publish_feed(pool: asyncpg.Pool, conn: Connection, producer, closed: ClosedMonth, feed: Feed,
                       mark: str, batch: int, stop: asyncio.Event | None = None,
                       published: Counter[str] | None = None) -> int:
    """Publish a feed of the month's statements after `mark`, batch by batch: the next batch is read while
    this one is built, and sent while the broker acknowledges the one before; the mark moves past a batch
    once it is acknowledged. Returns how many statements were read, when no more are written yet, or
    after `stop` once what was sent is acknowledged; `published` counts the events by topic, for /metrics."""
    async def read(after: str) -> Batch | None:
        if stop is not None and stop.is_set():
            return None
        async with pool.acquire() as reader:
            return await feed.read(reader, closed, after, batch)

    counted: Counter[str] = Counter() if published is None else published
    # batches sent: the broker's acknowledgement, the statement key the mark moves to, how many events
    sending: deque[tuple[asyncio.Future[None], str, int]] = deque()
    statements_read, reading = 0, asyncio.ensure_future(read(mark))

    async def settle() -> None:
        """The oldest batch sent: once the broker has acknowledged it, the mark moves past it."""
        acknowledged, through, sent = sending.popleft()
        await acknowledged
        await close_publishing.mark_published(conn, closed.month, feed.name, through)
        counted[feed.topic.name] += sent

    try:
        while True:
            read_batch = await reading
            if read_batch is None:
                while sending:
                    await settle()
                return statements_read
            reading = asyncio.ensure_future(read(read_batch.through))
            events = feed.events(read_batch, closed)
            while len(sending) >= SENDS_IN_FLIGHT:
                await settle()
            sending.append((asyncio.ensure_future(publish(producer, "bonus", events)), read_batch.through,
                            len(events)))
            statements_read += read_batch.statements
    finally:  # on a failure: what was in flight is read and sent again from the mark
        in_flight: list[asyncio.Future[Batch | None] | asyncio.Future[None]] = [reading, *(s[0] for s in sending)]
        for task in in_flight:
            if not task.done():
                task.cancel()


async def run_close_publisher(pool: asyncpg.Pool, producer, topic_prefix: str, published: Counter[str],
                              stop: asyncio.Event, batch: int = 2500, poll_seconds: float = 0.5) -> None:
    """Background job: publish what every close writes, as it writes it."""
    async with elected(pool, "close-publisher:bonus", stop) as conn:
        if conn is not None:
            publish = partial(publish_pending, pool, conn, producer, topic_prefix, batch, stop, published)
            await periodically(stop, poll_seconds, publish, more=lambda sent: sent >= batch)
