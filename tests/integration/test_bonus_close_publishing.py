"""The close's payouts and statements published from the statements, on the real broker: each once, the
payouts first and the statements once every payout is out, each feed's mark moved only past what the
broker acknowledged, a failure mid-way resumed from the mark, and the close announced only once all of it
is published."""
from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import date

import orjson
import pytest
from aiokafka.errors import KafkaConnectionError

from contracts.events.bonus import BonusMonthClosed, BonusPayout, BonusStatement
from contracts.topics import BONUS_PAYOUTS, BONUS_STATEMENTS
from coopreg.client import read_topic
from services.bonus.adapters import close_publishing
from services.bonus.adapters.close_publishing import PendingMonth
from services.bonus.application.publish_close import (
    PAYOUTS,
    STATEMENTS,
    ClosedMonth,
    announce_if_closed,
    publish_feed,
    publish_next,
)
from services.bonus.domain.months import month_label
from shared.kafka import delete_prefixed_topics, ensure_topics
from tests.integration.test_bonus_month import book, close, month_at, new_id
from tests.support.close_events import close_events_of
from tests.support.factories import accepted
from tests.support.stack import started_producer


@pytest.fixture(scope="module")
async def kafka_settings(settings):
    """The session's settings under a prefix of this module's own, with the two topics it publishes to."""
    prefix = f"{settings.kafka.topic_prefix}close-{uuid.uuid4().hex[:6]}."
    kafka = settings.kafka.model_copy(update={"topic_prefix": prefix})
    await ensure_topics(kafka, (BONUS_PAYOUTS, BONUS_STATEMENTS))
    yield settings.model_copy(update={"kafka": kafka})
    await delete_prefixed_topics(kafka)


@pytest.fixture(scope="module")
async def producer(kafka_settings):
    async with started_producer(kafka_settings.kafka, "close-publishing-test") as producer:
        yield producer


class FailingFromRound:
    """The real producer, failing from the `round`-th batch of messages published on: the broker away.
    (Publishing a batch of a feed asks for its topic's partitions once.)"""

    def __init__(self, producer, round: int) -> None:
        self.producer, self.asked, self.failing_from = producer, 0, round - 1

    async def partitions_for(self, topic):
        self.asked += 1
        if self.asked > self.failing_from:
            raise KafkaConnectionError("the broker is away")
        return await self.producer.partitions_for(topic)

    def create_batch(self):
        return self.producer.create_batch()

    async def send_batch(self, batch, topic, *, partition):
        return await self.producer.send_batch(batch, topic, partition=partition)


async def closed_month(pool, year: int, households: int) -> tuple[date, list[str]]:
    month, ids = date(year, 4, 1), sorted(new_id("h") for _ in range(households))
    # one household earns nothing: a statement, no payout
    await book(pool, *[accepted(new_id("r"), h, month_at(year, 4), 3000 if i == 0 else 10000 * i)
                       for i, h in enumerate(ids)])
    await close(pool, month)
    return month, ids


async def published(settings, households: list[str]) -> tuple[list, list]:
    """The payout and statement records of these households on the topics."""
    wanted, found = {h.encode() for h in households}, []
    for topic in (BONUS_PAYOUTS, BONUS_STATEMENTS):
        found.append([r for r in await read_topic(settings, topic) if r.key in wanted])
    return found[0], found[1]


async def mark_of(pool, month: date, feed: str) -> str:
    return await pool.fetchval(f"SELECT {feed}_published_through FROM months WHERE month = $1", month)


async def pending_of(conn, month: date) -> PendingMonth | None:
    return next((p for p in await close_publishing.pending_months(conn) if p.month == month), None)


async def test_every_payout_then_every_statement_is_published_once_as_built(pools, kafka_settings, producer):
    pool = pools["bonus"]
    month, households = await closed_month(pool, 2061, 7)
    prefix = kafka_settings.kafka.topic_prefix
    async with pool.acquire() as conn:
        assert await pending_of(conn, month) == PendingMonth(month, "", "", payouts_done=False)
        stopping = asyncio.Event()
        stopping.set()  # the service stops
        assert await publish_next(pool, conn, producer, await pending_of(conn, month), prefix, 3, stopping) == 0
        counted = Counter()
        assert await publish_next(pool, conn, producer, await pending_of(conn, month), prefix, 3,
                                  published=counted) == 7
        assert counted == {"bonus.payouts.v1": 6}  # the payouts first; counted for /metrics
        assert await pending_of(conn, month) == PendingMonth(month, households[-1], "", payouts_done=True)
        assert await publish_next(pool, conn, producer, await pending_of(conn, month), prefix, 3,
                                  published=counted) == 7
        assert counted == {"bonus.payouts.v1": 6, "bonus.statements.v1": 7}
        assert await pending_of(conn, month) is None  # all of it published, and the close announced
        assert await announce_if_closed(conn, month) is None  # once
    assert (await mark_of(pool, month, "payouts"), await mark_of(pool, month, "statements")) == (households[-1],) * 2
    [closed_event] = await pool.fetch("SELECT value FROM outbox WHERE topic = 'bonus.months.v1' AND key = $1",
                                      month_label(month).encode())
    announced = BonusMonthClosed.model_validate_json(closed_event["value"])
    assert (announced.households, announced.payouts) == (7, 6)
    payouts, statements = await published(kafka_settings, households)
    assert sorted(r.key.decode() for r in statements) == households
    assert sorted(r.key.decode() for r in payouts) == households[1:]
    built = {(topic, household): (value, headers)
             for topic, household, value, headers in await close_events_of(pool, month)}
    for topic, records, contract in (("bonus.payouts.v1", payouts, BonusPayout), ("bonus.statements.v1", statements,
                                                                                 BonusStatement)):
        for record in records:
            value, headers = built[(topic, record.key.decode())]
            assert contract.model_validate_json(record.value) == contract.model_validate(value)
            assert {k: v.decode() for k, v in record.headers} == headers


async def test_a_failure_mid_way_resumes_from_the_mark_without_resending_what_was_acknowledged(
        pools, kafka_settings, producer):
    pool = pools["bonus"]
    month, households = await closed_month(pool, 2062, 9)
    closed = ClosedMonth.of(month, kafka_settings.kafka.topic_prefix)
    async with pool.acquire() as conn:
        with pytest.raises(KafkaConnectionError):
            await publish_feed(pool, conn, FailingFromRound(producer, round=3), closed, PAYOUTS, "", batch=2)
        mark = await mark_of(pool, month, "payouts")
        assert mark == households[3]  # past the two acknowledged batches of two, not past the failed one
        await publish_feed(pool, conn, producer, closed, PAYOUTS, mark, batch=2)
        assert await announce_if_closed(conn, month) is None  # every payout published, not every statement
        await publish_feed(pool, conn, producer, closed, STATEMENTS, "", batch=2)
        assert await announce_if_closed(conn, month) is not None
    assert await mark_of(pool, month, "payouts") == households[-1]
    payouts, _ = await published(kafka_settings, households)
    sent = [r.key.decode() for r in payouts]
    assert set(sent) == set(households[1:])  # nothing lost
    assert all(sent.count(h) == 1 for h in households[1:] if h <= mark)  # the acknowledged ones not sent again


async def test_a_batch_of_households_that_are_paid_nothing_still_moves_the_payouts_mark(
        pools, kafka_settings, producer):
    pool = pools["bonus"]
    month, households = await closed_month(pool, 2064, 3)  # the first household earns nothing
    closed = ClosedMonth.of(month, kafka_settings.kafka.topic_prefix)
    async with pool.acquire() as conn:
        assert await publish_feed(pool, conn, producer, closed, PAYOUTS, "", batch=1) == 3  # statements read
    assert await mark_of(pool, month, "payouts") == households[-1]
    payouts, _ = await published(kafka_settings, households)
    assert sorted(r.key.decode() for r in payouts) == households[1:]


def plan_nodes(node: dict):
    yield node
    for child in node.get("Plans", ()):
        yield from plan_nodes(child)


async def test_a_batch_of_statements_is_read_without_a_plan_the_planner_could_misjudge(pools):
    """Statements just written lie past their table's statistics (a key range of them estimated at one
    row): a nested loop would group the batch's members again for every statement. The batch's members and
    exclusions are each read once, for the batch's key range, and joined in key order."""
    pool = pools["bonus"]
    month, households = await closed_month(pool, 2063, 3)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(close_publishing.STATEMENTS_PLAN)
        [[plan]] = await conn.fetch("EXPLAIN (FORMAT JSON) " + close_publishing.STATEMENTS, month, "",
                                    households[-1], month_label(month))
    nodes = list(plan_nodes(orjson.loads(plan)[0]["Plan"]))
    joins = [n["Node Type"] for n in nodes if "Join" in n["Node Type"] or n["Node Type"] == "Nested Loop"]
    assert joins and set(joins) <= {"Merge Join", "Hash Join"}
    reads = [n for n in nodes if n.get("Relation Name", "").startswith("accrual_")]
    assert sorted(n["Relation Name"] for n in reads) == ["accrual_exclusions", "accrual_members"]
    for read in reads:  # the batch's range, not one statement's key
        condition = read.get("Index Cond", "") + read.get("Recheck Cond", "") + read.get("Filter", "")
        assert "household_id > ''" in condition and f"household_id <= '{households[-1]}'" in condition
        assert "s.household_id" not in condition
