"""`coopreg demo`: a month of POS traffic for a few thousand households through the running services,
the month closed, and a readable summary."""
from __future__ import annotations

import asyncio
import time
from datetime import date, datetime, timedelta, timezone

import asyncpg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS
from coopreg.client import RegisterClient
from coopreg.simulate.population import population
from coopreg.simulate.publish import issue_cards, publish_month
from services.bonus.application.close_schedule import close_calendar
from services.bonus.domain.months import month_label, next_month
from shared.settings import Settings


def progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), console=console)


async def connect(settings: Settings) -> asyncpg.Connection:
    pg = settings.pg
    return await asyncpg.connect(host=pg.host, port=pg.port, user=pg.user, database=pg.database,
                                 password=pg.password.get_secret_value())


async def open_month(conn: asyncpg.Connection, settings: Settings) -> date:
    """The latest month that may be closed now (its grace for late receipts over) and nobody closed yet."""
    month = close_calendar(settings.bonus).latest_closable(datetime.now(timezone.utc))
    closed = {r["month"] for r in await conn.fetch("SELECT month FROM bonus.months WHERE status <> 'open'")}
    while month in closed:
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    return month


async def wait_for(conn, sql: str, target: int, bar: Progress, description: str, *args, timeout=600) -> None:
    task = bar.add_task(description, total=target)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = await conn.fetchval(sql, *args)
        bar.update(task, completed=done)
        if done >= target:
            return
        await asyncio.sleep(0.3)
    raise TimeoutError(f"{description}: {done} of {target} after {timeout} s; are the services running?")


def issued_for(month: date) -> datetime:
    """The day before the simulated month: every card, payment cards too, is within its validity then."""
    return datetime(month.year, month.month, month.day, tzinfo=timezone.utc) - timedelta(days=1)


async def run_demo(settings: Settings, households: int, console: Console) -> None:
    run = f"d{int(time.time()) % 10**6:06d}"
    people = population(households, run, first_card=(int(time.time()) % 10**6) * 10**5)
    conn = await connect(settings)
    try:
        month = await open_month(conn, settings)
        async with RegisterClient(settings) as client:
            with progress(console) as bar:
                cards = await issue_cards(client, people, issued_for(month), bar)
                await wait_for(conn, "SELECT count(*) FROM purchases.card_allocations WHERE person_id LIKE $1",
                               cards, bar, "cards known to purchases", f"{run}-%")
                receipts = await publish_month(client, people, month, run, bar)
                await wait_for(conn, "SELECT count(*) FROM bonus.purchases WHERE receipt_id LIKE $1",
                               receipts, bar, "receipts booked by bonus", f"{run}-%")
            await client.send(BONUS_COMMANDS, month_label(month), CloseBonusMonth(month=month_label(month)))
            await client.flush()
        with console.status(f"closing {month_label(month)}"):
            while await conn.fetchval("SELECT status FROM bonus.months WHERE month = $1", month) != "closed":
                await asyncio.sleep(0.3)
        await summarise(conn, console, month, run, settings)
    finally:
        await conn.close()
    next_steps(console, settings)


def next_steps(console: Console, settings: Settings) -> None:
    """Where to look next: the customer's My data page and each service's metrics."""
    from coopreg.services_ctl import metrics_port
    from services.registry import SERVICES

    console.print("\n[bold]Next[/]")
    console.print("  the My data page: start the register API with `coopreg api serve &`, then "
                  "`coopreg api my-data` prints a login link for a demo customer "
                  f"(http://{settings.api.host}:{settings.api.port}/my-data#token=…)")
    console.print("  a live simulation: `coopreg simulate traffic --rate 200 --seconds 60`")
    console.print("  metrics while it runs (Prometheus text; /health and /ready beside them):")
    for name in SERVICES:
        console.print(f"    {name:<11} http://127.0.0.1:{metrics_port(name)}/metrics")
    api = f"http://{settings.api.host}:{settings.api.port}"
    console.print(f"  the register API (once served): {api}/health, {api}/ready, OpenAPI at {api}/docs")


async def summarise(conn, console: Console, month: date, run: str, settings: Settings) -> None:
    rows = await conn.fetch(
        "SELECT rate_bp, count(*) AS households, sum(tier_total_cents) AS purchases, sum(bonus_cents) AS bonus,"
        " sum(fuel_bonus_cents) AS fuel, sum(payment_method_benefit_cents) AS pmb FROM bonus.statements"
        " WHERE month = $1 AND household_id LIKE $2 GROUP BY rate_bp ORDER BY rate_bp", month, f"{run}-%")
    table = Table(title=f"Bonus for {month_label(month)}, paid by {next_month(month):%Y-%m}-10")
    for column in ("Bonus %", "households", "purchases €", "Bonus €", "Fuel Bonus €", "payment-method €"):
        table.add_column(column, justify="right")
    for r in rows:
        table.add_row(f"{r['rate_bp'] / 100:.1f}", str(r["households"]), euros(r["purchases"]), euros(r["bonus"]),
                      euros(r["fuel"]), euros(r["pmb"]))
    table.add_row("all", str(sum(r["households"] for r in rows)), euros(sum(r["purchases"] for r in rows)),
                  euros(sum(r["bonus"] for r in rows)), euros(sum(r["fuel"] for r in rows)),
                  euros(sum(r["pmb"] for r in rows)), style="bold")
    console.print(table)
    example = await conn.fetchval("SELECT household_id FROM bonus.statements WHERE month = $1 AND household_id"
                                  " LIKE $2 ORDER BY tier_total_cents DESC LIMIT 1 OFFSET 10", month, f"{run}-%")
    if example:  # a household's receipts are personal data: read through the register API, audited
        console.print(f"explain a household's month (as a named user, in the audit log): "
                      f"coopreg bonus explain {example} {month_label(month)}")


def euros(cents: int | None) -> str:
    return f"{(cents or 0) / 100:,.2f}".replace(",", " ")
