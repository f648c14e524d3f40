"""Use case: publish each closed household-month's payout and statement, from the statement itself.

The close (close_month.py) writes one statement per household, and the statements are its outbox: this
job reads a month's statements after the month's mark in key order, publishes each household's payout
(when the month pays anything, in cash or to the open contribution) and its statement, waits for the
broker's acknowledgements and only then moves the mark. A crash in between sends a tail again with the
same ids, content and time (the statement's), which consumers book once by id, as with the outbox's
re-sends. Two outbox rows per household, written, read and deleted again, were most of a close's work.
When the month is closed and all of it published, its close is announced on bonus.months.v1. One
publisher at a time, elected by an advisory lock.
"""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

import asyncpg

from contracts.envelope import EnvelopeTemplate
from contracts.topics import BONUS_PAYOUTS, BONUS_STATEMENTS
from contracts.events.bonus import BonusMonthClosed
from services.bonus.adapters import close_publishing, closing
from services.bonus.application.close_month import SOURCE, month_closed_event
from services.bonus.domain.months import month_label, payout_due
from shared.jobs import elected, pause
from shared import outbox
from shared.outbox import publish
from shared.record_batches import Message


@dataclass(frozen=True)
class ClosedMonth:
    """What every event of a month's close carries besides its statement's figures."""

    month: date
    label: str
    due_on: str
    payouts_topic: str
    statements_topic: str

    @classmethod
    def of(cls, month: date, topic_prefix: str = "") -> "ClosedMonth":
        return cls(month, month_label(month), payout_due(month).isoformat(), topic_prefix + BONUS_PAYOUTS.name,
                   topic_prefix + BONUS_STATEMENTS.name)


@lru_cache(maxsize=64)
def _templates(at: datetime) -> tuple[EnvelopeTemplate, EnvelopeTemplate]:
    """The payout's and the statement's envelopes at a statement's time (a close chunk's statements share it)."""
    return (EnvelopeTemplate(SOURCE, BONUS_PAYOUTS.event_type, at),
            EnvelopeTemplate(SOURCE, BONUS_STATEMENTS.event_type, at))


def close_events(statement, closed: ClosedMonth) -> list[Message]:
    """A statement's events as published: its payout, if the month pays anything (in cash or to the open
    contribution), and the statement itself."""
    household, (payouts, statements) = statement["household_id"], _templates(statement["closed_at"])
    key, events = household.encode(), []
    if statement["payout"] is not None:
        events.append((closed.payouts_topic, key, statement["payout"],
                       payouts.headers(f"payout:{household}:{closed.label}", household)))
    events.append((closed.statements_topic, key, statement["statement"],
                   statements.headers(f"statement:{household}:{closed.label}", household, statement["cooperative_id"])))
    return events


async def publish_pending(pool: asyncpg.Pool, conn: asyncpg.Connection, producer, topic_prefix: str, batch: int,
                          stop: asyncio.Event | None = None, published: Counter[str] | None = None) -> int:
    """Publish what the closes have written and not yet published; how many statements. `conn`: the
    publisher's session (it holds the election), which moves the marks; reads use the pool."""
    statements = 0
    for month, mark in await close_publishing.pending_months(conn):
        statements += await publish_month(pool, conn, producer, ClosedMonth.of(month, topic_prefix), mark, batch,
                                          stop, published)
        await announce_if_closed(conn, month)
    return statements


async def announce_if_closed(conn: asyncpg.Connection, month: date) -> BonusMonthClosed | None:
    """Stage the month's close on bonus.months.v1 once it is closed and every statement is published, so
    the announcement never runs ahead of the payouts; once."""
    async with conn.transaction():
        totals = await closing.announce(conn, month)
        if totals is None:
            return None
        done = BonusMonthClosed(month=month_label(month), **dict(totals))
        await outbox.add(conn, [month_closed_event(done)])
    return done


async def publish_month(pool: asyncpg.Pool, conn: asyncpg.Connection, producer, closed: ClosedMonth, mark: str,
                        batch: int, stop: asyncio.Event | None = None, published: Counter[str] | None = None) -> int:
    """Publish the month's statements after `mark`, batch by batch: the next batch is read while this one
    is built, and sent while the broker acknowledges the one before; the mark moves past a batch once it
    is acknowledged. Returns when no more are written yet, or after `stop` once what was sent is
    acknowledged; `published` counts the events by topic, for /metrics."""
    async def read(after: str) -> list:
        if stop is not None and stop.is_set():
            return []
        async with pool.acquire() as reader:
            return await close_publishing.statements_after(reader, closed.month, after, batch, closed.label,
                                                           closed.due_on)

    counted = Counter() if published is None else published
    statements_sent, reading, sending = 0, asyncio.ensure_future(read(mark)), None
    try:
        while True:
            statements = await reading
            if statements:
                reading = asyncio.ensure_future(read(statements[-1]["household_id"]))
            events = [event for statement in statements for event in close_events(statement, closed)]
            if sending is not None:
                acknowledged, through, topics = sending
                sending = None
                await acknowledged
                await close_publishing.mark_published(conn, closed.month, through)
                counted.update(topics)
            if not statements:
                return statements_sent
            topics = {BONUS_PAYOUTS.name: len(events) - len(statements), BONUS_STATEMENTS.name: len(statements)}
            sending = (asyncio.ensure_future(publish(producer, "bonus", events)), statements[-1]["household_id"],
                       topics)
            statements_sent += len(statements)
    finally:  # on a failure: what was in flight is read and sent again from the mark
        for task in (reading, sending and sending[0]):
            if task and not task.done():
                task.cancel()


async def run_close_publisher(pool: asyncpg.Pool, producer, topic_prefix: str, published: Counter[str],
                              stop: asyncio.Event, batch: int = 2500, poll_seconds: float = 0.5) -> None:
    """Background job: publish what every close writes, as it writes it."""
    async with elected(pool, "close-publisher:bonus", stop) as conn:
        while conn is not None and not stop.is_set():
            if await publish_pending(pool, conn, producer, topic_prefix, batch, stop, published) < batch:
                await pause(stop, poll_seconds)
