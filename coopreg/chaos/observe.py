"""What the register ended with: its tables, the payouts S-Bank received and the dead letters."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import asyncpg
import orjson

from contracts.topics import BONUS_COMMANDS, BONUS_PAYOUTS, CARD_STATE, POS_PURCHASES, PURCHASES_ACCEPTED
from coopreg.bench.environment import connect
from coopreg.client import read_topic
from services.bonus.adapters import reads as bonus_reads
from services.bonus.domain import MonthTotals
from services.purchases.adapters import reads as purchases_reads
from shared.dead_letters import CONSUMER, DETAIL, REASON, dlq_topic
from shared.settings import Settings


@dataclass(frozen=True)
class Observed:
    stored: dict[str, str]  # receipt id → status
    conflicts: set[str]
    booked: dict[str, str]  # receipt id → household id, in the bonus ledger's lineage
    totals: dict[tuple[str, date], MonthTotals]
    receipts: dict[tuple[str, date], int]  # household-month → receipts counted in its accrual
    month_status: str | None
    statements: int
    payouts: dict[str, dict[str, int]]  # household → transaction kind → cents
    payout_messages: int
    payouts_contradicting: int  # one payout id published with different content
    dead_letters: dict[bytes, list[tuple[str, str, str]]]  # key → (reason, detail, consumer) per copy
    other_dead_letters: int


async def pipeline_progress(conn: asyncpg.Connection) -> dict[str, int]:
    # One snapshot of both services' figures, as one statement gave them before they were read through each
    # service's own read functions.
    async with conn.transaction(isolation="repeatable_read", readonly=True):
        storing = await purchases_reads.storing_progress(conn)
        booking = await bonus_reads.booking_progress(conn)
    return {"stored": storing.stored, "unresolved": storing.unresolved, "booked": booking.booked,
            "outbox": storing.outbox + booking.outbox}


async def _tables(conn: asyncpg.Connection, month: date) -> dict:
    accruals = await bonus_reads.accruals(conn)
    return {
        "stored": await purchases_reads.receipt_statuses(conn),
        "conflicts": await purchases_reads.conflicting_receipts(conn),
        "booked": await bonus_reads.booked_households(conn),
        "totals": {(a.household_id, a.month): a.totals for a in accruals},
        "receipts": {(a.household_id, a.month): a.receipts for a in accruals},
        "month_status": await bonus_reads.month_status(conn, month),
        "statements": await bonus_reads.statements_written(conn, month),
    }


async def _payouts(settings: Settings) -> dict:
    records = await read_topic(settings, BONUS_PAYOUTS, timeout=120)
    by_id: dict[str, bytes] = {}
    contradicting = 0
    for record in records:
        payout = orjson.loads(record.value)
        previous = by_id.setdefault(payout["payout_id"], record.value)
        contradicting += previous != record.value and orjson.loads(previous)["transactions"] != payout["transactions"]
    payouts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for value in by_id.values():
        payout = orjson.loads(value)
        for transaction in payout["transactions"]:
            payouts[payout["household_id"]][transaction["kind"]] += transaction["amount_cents"]
    return {"payouts": {h: dict(kinds) for h, kinds in payouts.items()}, "payout_messages": len(records),
            "payouts_contradicting": contradicting}


async def _dead_letters(settings: Settings) -> dict:
    letters: dict[bytes, list] = defaultdict(list)
    for record in await read_topic(settings, dlq_topic(POS_PURCHASES.name), timeout=60):
        headers = {k: v.decode() for k, v in record.headers}
        letters[record.key].append((headers.get(REASON), headers.get(DETAIL), headers.get(CONSUMER)))
    others = 0
    for topic in (CARD_STATE, PURCHASES_ACCEPTED, BONUS_COMMANDS):
        others += len(await read_topic(settings, dlq_topic(topic.name), timeout=10))
    return {"dead_letters": dict(letters), "other_dead_letters": others}


async def observe(settings: Settings, month: date) -> Observed:
    conn = await connect(settings)
    try:
        tables = await _tables(conn, month)
    finally:
        await conn.close()
    return Observed(**tables, **await _payouts(settings), **await _dead_letters(settings))
