"""The delivery mechanisms when a dependency goes away: the database restarts under the outbox relay and
the month closer, the broker is away while a dead letter is due. Nothing may end silently or be given up.

The database here is one of the tests' own, made unavailable the way a restart does it: every session
ended, new connections refused for a moment.
"""
from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from datetime import date, datetime, timezone
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import pytest
from aiokafka.errors import KafkaConnectionError

from contracts.envelope import Envelope
from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS
from coopreg.provision import ensure_database, provision
from services.bonus.adapters import closing
from services.bonus.application.book_purchases import book_purchases
from services.bonus.application.close_month import CloseConfig, run_closer
from services.bonus.domain import load_tier_tables
from services.registry import SERVICES
from shared import outbox
from shared.crypto import FieldCipher
from shared.db import create_pool, migrate
from shared.dead_letters import DeadLetters
from shared.delivery import Delivery
from shared.jobs import keep_running
from tests.support.factories import accepted, incoming
from tests.support.stack import eventually

DATABASE = "coopreg_test_faults"


async def _admin(settings) -> asyncpg.Connection:
    pg = settings.pg
    return await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database="postgres",
                                 password=pg.password.get_secret_value())


@pytest.fixture(scope="module")
async def faults_settings(settings):
    # Each schema these tests open has its own role, like a service's.
    await ensure_database(settings, DATABASE)
    await provision(settings, DATABASE, schemas=("relay_faults", "dlq_faults", "bonus"))
    return settings.model_copy(update={"pg": settings.pg.model_copy(update={"database": DATABASE})})


@asynccontextmanager
async def database_restarting(settings, seconds: float = 1.5):
    """Every session of the database ended and new ones refused for `seconds`, then accepted again."""
    admin = await _admin(settings)
    try:
        await admin.execute(f'ALTER DATABASE "{DATABASE}" WITH ALLOW_CONNECTIONS false')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                            " WHERE datname = $1 AND pid <> pg_backend_pid()", DATABASE)
        await asyncio.sleep(seconds)
    finally:
        await admin.execute(f'ALTER DATABASE "{DATABASE}" WITH ALLOW_CONNECTIONS true')
        await admin.close()
    yield


class RecordedBatch:
    def __init__(self) -> None:
        self.messages: list[tuple] = []

    def append(self, *, timestamp, key, value, headers=()):
        self.messages.append((key, value))
        return True


class RecordingProducer:
    """Stands in for the Kafka producer: records what was sent; the first `failures` sends fail."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[tuple] = []
        self.failures = failures

    async def send(self, topic, value=None, key=None, headers=None):
        self.sent.append((topic, key, value))
        future = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future

    async def partitions_for(self, topic):
        return {0}

    def create_batch(self):
        return RecordedBatch()

    async def send_batch(self, batch, topic, *, partition):
        """The outbox relay sends record batches (shared/record_batches.py)."""
        for key, value in batch.messages:
            await self.send(topic, value=value, key=key)
        future = asyncio.get_running_loop().create_future()
        future.set_result(None)
        return future

    async def send_and_wait(self, topic, value=None, key=None, headers=None):
        if self.failures:
            self.failures -= 1
            raise KafkaConnectionError("the broker is away")
        self.sent.append((topic, key, value))


def month_event(month: str) -> outbox.OutgoingEvent:
    return outbox.OutgoingEvent(BONUS_COMMANDS.name, month, Envelope(source="test", type="t"),
                                CloseBonusMonth(month=month))


async def stage(settings, schema: str, event: outbox.OutgoingEvent) -> None:
    conn = await asyncpg.connect(host=settings.pg.host, port=settings.pg.port, user=settings.pg.user,
                                 password=settings.pg.password.get_secret_value(), database=DATABASE,
                                 server_settings={"search_path": schema})
    try:
        async with conn.transaction():
            await outbox.add(conn, [event])
    finally:
        await conn.close()


async def test_the_outbox_relay_outlives_a_database_restart(faults_settings, tmp_path):
    pool = await create_pool(faults_settings.pg, "relay_faults")
    await migrate(pool, "relay_faults", Path(tmp_path))
    producer, stop = RecordingProducer(), asyncio.Event()
    relay = outbox.OutboxRelay(pool, producer, "relay_faults", poll_ms=20)
    job = asyncio.create_task(keep_running(relay.run, stop))
    try:
        await stage(faults_settings, "relay_faults", month_event("2060-01"))
        await eventually(lambda: _sent(producer, b"2060-01"), timeout=10)
        async with database_restarting(faults_settings):
            pass
        # an event written after the restart still leaves, relayed by a relay elected again
        await stage(faults_settings, "relay_faults", month_event("2060-02"))
        await eventually(lambda: _sent(producer, b"2060-02"), timeout=15)
        assert await relay_elected(faults_settings, "relay_faults")
    finally:
        stop.set()
        await asyncio.wait_for(job, 10)
        await pool.close()


async def relay_elected(settings, schema: str) -> bool:
    """The relay's advisory lock is held: no second relay can start beside it."""
    admin = await _admin(settings)
    try:
        return await admin.fetchval(
            "SELECT EXISTS (SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
            " WHERE l.locktype = 'advisory' AND d.datname = $1 AND l.granted"
            " AND l.objid::bigint = hashtext($2)::bigint & 4294967295)", DATABASE, f"outbox:{schema}")
    finally:
        await admin.close()


async def _sent(producer: RecordingProducer, key: bytes) -> bool:
    return any(k == key for _, k, _ in producer.sent)


async def test_the_month_closer_outlives_a_database_restart(faults_settings):
    pool = await create_pool(faults_settings.pg, "bonus")
    await migrate(pool, "bonus", SERVICES["bonus"].migrations)
    config, stop, month = CloseConfig(load_tier_tables()), asyncio.Event(), date(2061, 3, 1)
    job = asyncio.create_task(keep_running(partial(run_closer, pool, config, poll_seconds=0.1), stop))
    try:
        async with pool.acquire() as conn, conn.transaction():
            await book_purchases(conn, [incoming(accepted("r-closer-faults", "h-closer-faults",
                                                          datetime(2061, 3, 5, tzinfo=timezone.utc), 60000))],
                                 config.tables)
        async with database_restarting(faults_settings):
            pass
        # the close is requested after the restart; the closer must still be there to run it
        async with pool.acquire() as conn, conn.transaction():
            await closing.request_close(conn, month)
        closed = partial(pool.fetchval, "SELECT status = 'closed' FROM months WHERE month = $1", month)
        assert await eventually(closed, timeout=15)
    finally:
        stop.set()
        await asyncio.wait_for(job, 10)
        await pool.close()


async def test_a_dead_letter_waits_for_the_broker_and_the_batch_is_not_given_up(faults_settings, tmp_path):
    pool = await create_pool(faults_settings.pg, "dlq_faults")
    await migrate(pool, "dlq_faults", Path(tmp_path))
    await pool.execute("DROP TABLE IF EXISTS effects; CREATE TABLE effects (month text)")
    producer = RecordingProducer(failures=2)
    dead_letters = DeadLetters(producer, FieldCipher(faults_settings.secrets.encryption_key.get_secret_value()))
    delivery = Delivery("dlq-faults", CloseBonusMonth, pool, dead_letters, faults_settings.delivery)
    good = SimpleNamespace(topic="t", partition=0, offset=1, key=b"2062-01", value=b'{"month": "2062-01"}',
                           headers=Envelope(source="test", type="t").headers())
    poison = SimpleNamespace(topic="t", partition=0, offset=0, key=b"bad", value=b"{not json", headers=[])

    async def apply(conn, messages):
        await conn.executemany("INSERT INTO effects VALUES ($1)", [(m.data.month,) for m in messages])
    try:
        # the broker is away for the first two attempts to dead-letter: the consumer waits, it does not give up
        await delivery.process([poison, good], apply)
        assert [key for _, key, _ in producer.sent] == [b"bad"]
        assert await pool.fetchval("SELECT count(*) FROM effects WHERE month = '2062-01'") == 1
    finally:
        await pool.close()
