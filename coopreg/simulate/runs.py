"""`coopreg simulate traffic | month` on the running services, with progress bars and live counters.

Each run has ids of its own (`t…` or `m…` and the time), so runs never collide and what a run counts is its
own: receipts by id, accepted purchases and dead letters by key."""
from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta, timezone

import asyncpg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from contracts.topics import CARD_STATE, POS_PURCHASES, PURCHASES_ACCEPTED
from coopreg.client import RegisterClient
from coopreg.demo import connect, issued_for, progress, retried
from coopreg.simulate.population import population
from coopreg.simulate.publish import publish_month
from coopreg.simulate.register import Timeline, register_population
from coopreg.simulate.settle import DeadLetterWatch, Settling, dead_letter_counts
from coopreg.simulate.traffic import Traffic
from services.bonus.adapters import reads as bonus_reads
from services.bonus.domain.months import month_label
from shared.settings import Settings

# The topics a simulation's counters wait on: each must have its service consuming before anything is sent.
DRIVEN = {POS_PURCHASES.name, CARD_STATE.name, PURCHASES_ACCEPTED.name}
NEEDED = ("purchases.receipt_ids", "bonus.months")
COUNTERS = (("sent", "receipts sent"), ("stored", "stored by purchases"),
            ("accepted_published", "accepted published"), ("dead_lettered", "dead-lettered"))


def run_id(kind: str) -> tuple[str, int]:
    """A run id, and the first card number of its population (card numbers of runs never overlap)."""
    now = int(time.time()) % 10**6
    return f"{kind}{now:06d}", now * 10**5


async def require_services(conn: asyncpg.Connection, settings: Settings, services: tuple[str, ...] = ()) -> None:
    """The services' tables exist, and each of `services` is consuming what it subscribes to (a member of
    each of its consumer groups is assigned the topic), so nothing is waited for that nobody will do."""
    missing = [t for t in NEEDED if await conn.fetchval("SELECT to_regclass($1)", t) is None]
    if missing:
        raise LookupError(f"the services' tables ({', '.join(missing)}) are not there yet; start the services "
                          "with `coopreg services up` and try again")
    if services:
        from coopreg.asyncapi import consumed_topics
        from coopreg.kafka_view import not_consuming
        from services.registry import SERVICES

        wanted = {group: topic for name in services for group, topic in consumed_topics(SERVICES[name]).items()
                  if topic in DRIVEN}
        idle = await not_consuming(settings, wanted)
        if idle:
            down = sorted({group.split("-")[0] for group in idle})
            raise LookupError(f"the {' and '.join(down)} service is not consuming "
                              f"({', '.join(f'{g} on {t}' for g, t in sorted(idle.items()))}); start it with "
                              "`coopreg services up` (`coopreg services status` says which run)")


def counters_bar(console: Console) -> Progress:
    return Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), console=console)


async def _watch(traffic: Traffic, conn: asyncpg.Connection, bar: Progress, tasks: dict, stop: asyncio.Event,
                 began: float) -> None:
    while True:
        counters = await traffic.refresh(conn)
        elapsed = max(time.perf_counter() - began, 1e-3)
        for name, task in tasks.items():
            value = getattr(counters, name)
            bar.update(task, completed=value, rate=f"{value / elapsed:,.0f}/s")
        if stop.is_set():
            return
        try:
            await asyncio.wait_for(stop.wait(), 0.3)
        except asyncio.TimeoutError:
            pass


async def simulate_traffic(settings: Settings, console: Console, *, rate: int, seconds: float, households: int,
                           invalid: float, drain: float) -> dict:
    """Publish the population's card states, wait until the purchases service knows them, then send
    receipts at `rate` for `seconds` and count until everything sent is stored (or dead-lettered)."""
    run, first_card = run_id("t")
    people = population(households, run, first_card=first_card)
    conn = await connect(settings)
    try:
        await require_services(conn, settings, ("purchases",))
        watch = await DeadLetterWatch(settings).begin()
        async with RegisterClient(settings) as client:
            with progress(console) as bar:
                registered = await register_population(
                    client, people, Timeline(datetime.now(timezone.utc) - timedelta(hours=1)), run, bar, watch,
                    time.time())
                cards = registered.cards
            async with Traffic(settings, people, run, rate, seconds, invalid) as traffic:
                with counters_bar(console) as bar:
                    tasks = {name: bar.add_task(label, total=traffic.total, rate="") for name, label in COUNTERS}
                    stop, began = asyncio.Event(), time.perf_counter()
                    watcher = asyncio.create_task(_watch(traffic, conn, bar, tasks, stop, began))
                    took = await traffic.send(client)
                    deadline = time.monotonic() + drain
                    while not traffic.settled() and time.monotonic() < deadline and not watcher.done():
                        await asyncio.sleep(0.2)
                    stop.set()
                    await watcher
        return {"run": run, "households": households, "cards": cards, "offered_rate_per_s": rate,
                "sent_rate_per_s": round(traffic.counters.sent / took) if took else 0,
                "settled": traffic.settled(), **traffic.counters.as_dict()}
    finally:
        await conn.close()


async def simulate_month(settings: Settings, console: Console, *, households: int, month: date) -> dict:
    """Issue the population's cards through the cards service, publish the month's receipts and wait until
    the purchases service stored them and the bonus service booked them."""
    run, first_card = run_id("m")
    people = population(households, run, first_card=first_card)
    conn = await connect(settings)
    try:
        await require_services(conn, settings)
        status = await bonus_reads.month_status(conn, month)
        if status not in (None, "open"):
            raise ValueError(f"{month_label(month)} is {status}: its receipts would only become adjustments; "
                             "choose a month that is still open")
        watch = await DeadLetterWatch(settings).begin()
        async with RegisterClient(settings) as client, Settling(settings) as settling:
            with progress(console) as bar:
                registered = await register_population(client, people, Timeline(issued_for(month)), run, bar,
                                                       watch, time.time())
                receipts = await publish_month(client, people, month, run, bar)
                await settling.wait(bar, "receipts booked by bonus")
        letters = [x for x in await watch.added() if not retried(x, registered)]
        return {"run": run, "month": month_label(month), "households": households, "cards": registered.cards,
                "receipts": receipts, "example_household": people[0].household_id,
                "dead_letters": dead_letter_counts(letters)}
    finally:
        await conn.close()
