"""Consuming with exactly-once effect: decode, deduplicate, apply in transactions, or dead-letter.

The subscriber hands a batch of raw records to `Delivery.process` and acknowledges (commits the offset)
only when it returns, that is after the PostgreSQL transactions holding the effects and the inbox rows
committed, or after the dead letter was acknowledged by the broker.

- A batch is applied in slices, one transaction each and in order; while one slice's transaction waits
  on PostgreSQL, the next slice is decoded and prepared (`Prepare`).
- A message that cannot be decoded or violates its contract goes to the DLQ at once (`Rejected`).
- A lost dependency (PostgreSQL down, connection reset, the broker away while a dead letter is due) is
  waited for with capped backoff: the consumer pauses, nothing is dead-lettered or skipped for an outage.
- Any other failure is retried a bounded number of times; a failing batch is then split so that only
  the poison message goes to the DLQ and the rest of the partition moves on.
"""
from __future__ import annotations

import asyncio
import dataclasses
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Awaitable, Callable, Protocol, Sequence, cast

import asyncpg
from aiokafka.errors import KafkaError
from pydantic import BaseModel, ValidationError

from contracts.envelope import Envelope, InvalidEnvelope
from shared import tracing
from shared.db import Connection
from shared.dead_letters import DeadLetters
from shared.latency import DeliveryTimings
from shared.logging import get_logger, mask_text
from shared.settings import DeliverySettings
from shared.subject_keys import SubjectErased, SubjectKeys, sealed_for

TRANSIENT = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError,
             asyncpg.exceptions.SerializationError, asyncpg.exceptions.DeadlockDetectedError,
             asyncpg.exceptions.OperatorInterventionError, asyncpg.exceptions.TooManyConnectionsError)


class Rejected(Exception):
    """This message can never be processed as it is; `reason` is a short stable code."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@dataclass(frozen=True, slots=True)
class Incoming:
    record: object
    envelope: Envelope
    # The contract's model; on a strict-first topic mostly its strict struct, with the same attributes
    # (contracts/strict_decoding.py). None: a tombstone, where the subscription accepts them.
    data: object | None
    # What the subscription's `prepare` made of the message before its transaction (None: no prepare).
    prepared: object | None = None

    @classmethod
    def handed(cls, data: BaseModel, envelope: Envelope) -> "Incoming":
        """A message handed to a use case directly (simulations, tests) as if it had been consumed: its
        record carries the value's bytes."""
        return cls(SimpleNamespace(value=data.model_dump_json().encode(), headers=[]), envelope, data)


class _CompactedRecord(Protocol):
    key: bytes  # a compacted topic refuses a message without a key, a tombstone included


def tombstone_key(message: Incoming) -> str:
    """The key of a tombstone (`data` None), the one thing it says: only a subscription to a compacted topic
    takes tombstones (`ServiceContext.subscribe`'s `tombstones`), and such a topic has every message keyed."""
    return cast(_CompactedRecord, message.record).key.decode()


# While a slice's transaction is in flight, the next slice's decoding lets it go on this often (records).
PIPELINE_YIELD_EVERY = 32

# A handler returns None, or how many of the messages it ignored as duplicates of what it already had (one
# that deduplicates by a natural key rather than the inbox), for /metrics' coopreg_duplicates_ignored_total.
Handler = Callable[[Connection, list[Incoming]], Awaitable[int | None]]
# A handler's work on one message that needs no database, done before the transaction (while the slice
# before is applied); pure, so a failure is the message's and it is dead-lettered without retries.
Prepare = Callable[[Incoming], object]


def describe_validation(error: ValidationError) -> str:
    """The schema errors without the offending values, which may be personal data."""
    return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'message'}: {e['msg']}"
                     for e in error.errors(include_input=False, include_url=False))[:1000]


def describe_error(error: Exception) -> str:
    """A reason fit for a DLQ header and a log line: never the input values, never personal data."""
    if isinstance(error, ValidationError):
        return describe_validation(error)
    return mask_text(f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}")[:500]


class Delivery:
    def __init__(self, consumer: str, model: type[BaseModel], pool: asyncpg.Pool,
                 dead_letters: DeadLetters, settings: DeliverySettings, use_inbox: bool = True,
                 tombstones: bool = False, subject_keys: SubjectKeys | None = None, topic: str = "",
                 strict: Callable[[bytes], object | None] | None = None, prepare: Prepare | None = None,
                 topic_key: str = "") -> None:
        self.consumer, self.model, self.pool, self.topic = consumer, model, pool, topic
        self.topic_key = topic_key  # the contract's key (`Topic.key`): a dead letter's person may be its key
        self.prepare = prepare
        self.strict = strict  # read first; where it gives None, the model decides
        self.subject_keys = subject_keys
        self.dead_letters, self.settings, self.use_inbox = dead_letters, settings, use_inbox
        self.tombstones = tombstones
        self.processed = self.duplicates = 0
        self.busy_seconds = 0.0
        self.timings = DeliveryTimings()  # latency histograms for /metrics
        self.log = get_logger(consumer=consumer)

    def decode(self, record) -> Incoming:
        if record.value is None:
            if self.tombstones:
                return self._tombstone(record)
            raise Rejected("empty_value", "the message has no value")
        # Parsed and validated in one pass from the bytes; the reasons keep their precedence:
        # not JSON, then a bad envelope, then a contract violation.
        violation = None
        data = self.strict(record.value) if self.strict is not None else None
        if data is None:
            try:
                data = self.model.model_validate_json(record.value)
            except ValidationError as error:
                if any(e["type"] == "json_invalid" for e in error.errors(include_input=False, include_url=False)):
                    raise Rejected("not_json", "the value is not valid JSON") from None
                violation = describe_validation(error)
        try:
            envelope = Envelope.from_headers(record.headers, record.topic, record.value)
        except InvalidEnvelope as error:
            raise Rejected("bad_envelope", mask_text(str(error))[:500]) from None
        if violation is not None:
            raise Rejected("schema_violation", violation)
        return Incoming(record, envelope, data)

    @staticmethod
    def _prepared(prepare: Prepare, item: Incoming) -> Incoming:
        try:
            return Incoming(item.record, item.envelope, item.data, prepare(item))
        except Exception as error:  # noqa: BLE001 - pure: it would fail again, so the message is dead-lettered
            raise Rejected("processing_failed", describe_error(error)) from None

    def _tombstone(self, record) -> Incoming:
        """A null value on a compacted topic (the key was removed): `data` None. Without a `ce_id` its id
        comes from its place in the log, so two tombstones of one key are two messages."""
        try:
            place = f"tombstone:{record.partition}:{record.offset}".encode()
            return Incoming(record, Envelope.from_headers(record.headers, record.topic, place), None)
        except InvalidEnvelope as error:
            raise Rejected("bad_envelope", mask_text(str(error))[:500]) from None

    async def process(self, records: Sequence, handler: Handler) -> None:
        """Apply the records in slices of `pipeline_records`, one transaction each and in order: while a
        slice's transaction waits on PostgreSQL, the next slice is decoded and prepared. Returns once every
        slice is committed (or dead-lettered), so the offsets still move only past applied messages."""
        opened = await self._open_sealed(records)
        size = self.settings.pipeline_records or len(records) or 1
        applying = None  # the transaction of the slice before
        try:
            for start in range(0, len(records), size):
                batch = await self._decode_slice(records[start:start + size], opened, beside=applying)
                if applying is not None:
                    await applying
                applying = asyncio.ensure_future(self._apply(batch, handler)) if batch else None
            if applying is not None:
                await applying
        finally:  # failing or stopped: no transaction goes on beside the batch read again
            if applying is not None and not applying.done():
                applying.cancel()

    async def _decode_slice(self, records: Sequence, opened: dict, beside: asyncio.Future | None) -> list[Incoming]:
        """The slice's messages decoded and prepared; the rejected ones dead-lettered. `beside`: the slice
        before's transaction, let go on every PIPELINE_YIELD_EVERY records."""
        batch: list[Incoming] = []
        for n, record in enumerate(records):
            if beside is not None and n % PIPELINE_YIELD_EVERY == 0:
                await asyncio.sleep(0)
            try:
                item = self._decode_opened(record, opened[id(record)]) if id(record) in opened else self.decode(record)
                batch.append(item if self.prepare is None else self._prepared(self.prepare, item))
            except Rejected as rejected:
                await self._dead_letter(record, rejected.reason, rejected.detail)
        return batch

    async def _open_sealed(self, records: Sequence) -> dict:
        """Open the values sealed for a person (`shared.subject_keys`); waits out a lost database."""
        if self.subject_keys is None or not any(sealed_for(r.headers) for r in records):
            return {}
        attempt = 0
        while True:
            attempt += 1
            try:
                async with self.pool.acquire() as conn:
                    return await self.subject_keys.open_records(conn, records)
            except TRANSIENT as error:
                self.log.warning("key store unavailable, waiting", error=type(error).__name__, attempt=attempt)
                await self._backoff(attempt)

    def _decode_opened(self, record, opened: bytes | SubjectErased) -> Incoming:
        """A sealed record decoded from its opened value; the dead letter keeps the sealed original."""
        if isinstance(opened, SubjectErased):
            raise Rejected("subject_erased", "sealed for a person whose key was destroyed")
        return dataclasses.replace(self.decode(dataclasses.replace(record, value=opened)), record=record)

    async def _apply(self, batch: list[Incoming], handler: Handler) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                await self._transaction(batch, handler)
                return
            except Rejected as rejected:
                return await self._isolate(batch, handler, rejected.reason, rejected.detail)
            except TRANSIENT as error:
                self.log.warning("dependency unavailable, waiting", error=type(error).__name__, attempt=attempt)
                await self._backoff(attempt)
            except Exception as error:  # noqa: BLE001 - bounded, then dead-lettered with the reason
                self.log.error("processing failed", error=type(error).__name__, attempt=attempt)
                if attempt >= self.settings.max_attempts:
                    return await self._isolate(batch, handler, "processing_failed", describe_error(error))
                await self._backoff(attempt)

    async def _isolate(self, batch: list[Incoming], handler: Handler, reason: str, detail: str) -> None:
        if len(batch) > 1:
            for item in batch:
                await self._apply([item], handler)
            return
        await self._dead_letter(batch[0].record, reason, detail)

    @tracing.traced_batch  # a span per batch applied, when tracing is on
    async def _transaction(self, batch: list[Incoming], handler: Handler) -> None:
        started = time.perf_counter()
        async with self.pool.acquire() as conn:
            async with conn.transaction():
                fresh = await self._claim(conn, batch) if self.use_inbox else batch
                # A handler that deduplicates by a natural key instead of the inbox says how many it ignored.
                ignored = await handler(conn, fresh) if fresh else None
        self.processed += len(batch)
        self.duplicates += len(batch) - len(fresh) + (ignored if isinstance(ignored, int) else 0)
        took = time.perf_counter() - started
        self.busy_seconds += took
        self.timings.observe(took, batch)
        self.log.debug("batch applied", records=len(batch), ms=round(took * 1000, 1))

    async def _claim(self, conn: Connection, batch: list[Incoming]) -> list[Incoming]:
        """Record every event id in the inbox; return the ones not handled before (first of a repeat)."""
        first: dict[str, Incoming] = {}
        for item in batch:
            first.setdefault(item.envelope.id, item)
        rows = await conn.fetch(
            "INSERT INTO inbox (consumer, message_id) SELECT $1, unnest($2::text[]) "
            "ON CONFLICT DO NOTHING RETURNING message_id", self.consumer, list(first))
        new = {r["message_id"] for r in rows}
        return [item for mid, item in first.items() if mid in new]

    async def _dead_letter(self, record, reason: str, detail: str) -> None:
        """Send to the DLQ, waiting for a broker that is away: the offset never passes a message that is
        neither applied nor acknowledged as a dead letter."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self.dead_letters.send(record, self.consumer, reason, detail, self.topic_key)
            except (KafkaError, *TRANSIENT) as error:  # the broker, or the key store sealing it for the person
                self.log.warning("dead-letter queue unavailable, waiting", error=type(error).__name__,
                                 attempt=attempt)
                await self._backoff(attempt)

    async def _backoff(self, attempt: int) -> None:
        delay = min(self.settings.retry_backoff_ms * 2 ** (attempt - 1), self.settings.max_backoff_ms)
        await asyncio.sleep(delay / 1000)
