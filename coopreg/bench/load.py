"""Live POS traffic for the benches that need it beside something else (the close, the soak): a population whose
cards the purchases service knows, receipts offered at a steady rate, and each receipt's publish-to-stored delay
read back from the purchases service's table (stored_at against the time the bench sent it: the same clock)."""
from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import asyncpg
from rich.progress import Progress

from contracts.topics import POS_PURCHASES
from coopreg.bench.environment import ServiceUnderTest
from coopreg.client import RegisterClient
from coopreg.simulate.population import Household, population
from coopreg.simulate.publish import publish_card_states
from coopreg.simulate.receipts import pos_purchase
from services.purchases.adapters import reads as purchases_reads


@dataclass
class Offered:
    """What the bench sent: each receipt's id and when, and how many were late ones (of a past month)."""

    sent_at: dict[str, datetime] = field(default_factory=dict)
    late: int = 0


async def live_population(client: RegisterClient, purchases: ServiceUnderTest, conn: asyncpg.Connection,
                          households: int, run: str, index_key: str) -> list[Household]:
    """`households` whose card states are published and held by the (running) purchases service: live receipts
    are then resolved at once, as in production, not parked until their card arrives."""
    people = population(households, run)
    with Progress(transient=True) as bar:
        cards = await publish_card_states(client, people, index_key, bar)
    purchases.wait_ready()
    deadline = time.monotonic() + 300
    while await purchases_reads.cards_known(conn) < cards:
        if time.monotonic() > deadline or not purchases.running():
            raise RuntimeError(f"purchases did not take the card states; see {purchases.log_path}")
        await asyncio.sleep(0.2)
    return people


async def offer_receipts(client: RegisterClient, people: list[Household], rate: float, stop: asyncio.Event,
                         offered: Offered, run: str, late_month: date | None = None, late_every: int = 10) -> None:
    """Receipts at `rate` a second until `stop`; with `late_month`, one in `late_every` was bought on that month's
    last day (an outlet offline over the turn of the month sending now)."""
    members = [(h, m) for h in people for m in h.members]
    late_at = (datetime.combine(late_month, datetime.min.time(), timezone.utc) + timedelta(days=27)
               if late_month else None)
    start, i = time.perf_counter(), 0
    while not stop.is_set():
        household, member = members[i % len(members)]
        late = late_at is not None and i % late_every == late_every - 1
        now = datetime.now(timezone.utc)
        receipt = pos_purchase(f"{run}-{i}", member.card, late_at + timedelta(seconds=i) if late and late_at else now,
                               [("grocery", 1000 + i % 5000)], cooperative=household.cooperative_id)
        await client.send(POS_PURCHASES, receipt.receipt_id, receipt)
        offered.sent_at[receipt.receipt_id] = now
        offered.late += late
        i += 1
        ahead = start + i / rate - time.perf_counter()
        if ahead > 0:
            await client.flush()
            await asyncio.sleep(ahead)
    await client.flush()


async def stored_delays_ms(conn: asyncpg.Connection, offered: Offered, timeout: float = 120) -> list[float]:
    """Each offered receipt's delay from sent to stored by the purchases service, once every one is stored."""
    ids = list(offered.sent_at)
    deadline = time.monotonic() + timeout
    while (stored := await purchases_reads.receipts_stored_of(conn, ids)) < len(ids):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(ids) - stored} of {len(ids)} offered receipts not stored in {timeout} s")
        await asyncio.sleep(0.5)
    stored_at = await purchases_reads.stored_at_of(conn, ids)
    return [(at - offered.sent_at[receipt_id]).total_seconds() * 1000 for receipt_id, at in stored_at.items()]


def quantiles_ms(delays: list[float]) -> tuple[float, float]:
    """(p50, p99) in ms."""
    if len(delays) < 2:
        return (delays[0], delays[0]) if delays else (0.0, 0.0)
    q = statistics.quantiles(delays, n=100)
    return round(q[49], 1), round(q[98], 1)
