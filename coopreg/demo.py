"""`coopreg demo`: a few thousand households brought into the register through its inputs (as an integrator
would: docs/integrations/onboarding.md), a month of their POS traffic through the running services, the
month closed, a readable summary from what the register published, and the run's dead letters: none."""
from __future__ import annotations

import time
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import asyncpg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from contracts.events.bonus import BonusStatement, CloseBonusMonth
from contracts.topics import BONUS_COMMANDS, BONUS_MONTHS, BONUS_STATEMENTS, MEMBERSHIP_COMMANDS
from coopreg.client import RegisterClient
from coopreg.simulate.population import population
from coopreg.simulate.publish import publish_month
from coopreg.simulate.register import Registered, Timeline, register_population
from coopreg.simulate.settle import (
    DeadLetterSeen,
    DeadLetterWatch,
    Settling,
    TopicFollower,
    dead_letter_counts,
)
from services.bonus.adapters import reads as bonus_reads
from services.bonus.application.close_schedule import close_calendar
from services.bonus.domain.months import month_label, next_month
from shared.dead_letters import dlq_topic
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
    closed = await bonus_reads.months_not_open(conn)
    while month in closed:
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    return month


def issued_for(month: date) -> datetime:
    """The day before the simulated month: every card, payment cards too, is within its validity then."""
    return datetime(month.year, month.month, month.day, tzinfo=timezone.utc) - timedelta(days=1)


class DeadLettersLeft(RuntimeError):
    """The run ended with dead letters: something it sent, or something that followed from it, was refused."""


async def run_demo(settings: Settings, households: int, console: Console, month: date | None = None) -> str:
    """The population registered through the register's inputs, a month of receipts, the month closed;
    then the summary, read from what the register published, and the run's dead letters, which must be none.
    `month`: the month simulated and closed (default: the latest that may be closed and is not yet).
    Returns the run's id, the prefix of its households' and people's ids."""
    started = time.time()
    run = f"d{int(started) % 10**6:06d}"
    people = population(households, run, first_card=(int(started) % 10**6) * 10**5)
    if month is None:
        conn = await connect(settings)
        try:
            month = await open_month(conn, settings)
        finally:
            await conn.close()
    watch = await DeadLetterWatch(settings).begin()
    async with RegisterClient(settings) as client, Settling(settings) as settling:
        with progress(console) as bar:
            registered = await register_population(client, people, Timeline(issued_for(month)), run, bar, watch,
                                                   started)
            await publish_month(client, people, month, run, bar)
            await settling.wait(bar, "receipts booked by bonus")
        async with TopicFollower(settings, BONUS_MONTHS) as months, TopicFollower(settings, BONUS_STATEMENTS) as sent:
            await client.send(BONUS_COMMANDS, month_label(month), CloseBonusMonth(month=month_label(month)))
            await client.flush()
            with console.status(f"closing {month_label(month)}"):
                await months.until(lambda r: r.key == month_label(month).encode(), timeout=900)
                statements = [BonusStatement.model_validate_json(r.value) for r in await sent.read_to_end()
                              if r.key is not None and r.key.startswith(f"{run}-".encode())]
        with console.status("the register applying the close (statements and payouts)"):
            await settling.wait(None, "close applied")
    await summarise(console, month, statements, settings)
    letters = await watch.added()
    report_dead_letters(console, letters, registered)
    next_steps(console, settings)
    unexpected = [x for x in letters if not retried(x, registered)]
    if unexpected:
        raise DeadLettersLeft(f"{len(unexpected)} dead letters of this run; see `coopreg dlq list <topic>`")
    return run


def retried(letter: DeadLetterSeen, registered: Registered) -> bool:
    """A refusal the run made good: a customer whose first identity code was someone else's, registered
    again with another (their registration and, for a main member, their joining were refused)."""
    return letter.topic == dlq_topic(MEMBERSHIP_COMMANDS.name) and letter.key in registered.codes_taken


def report_dead_letters(console: Console, letters: list[DeadLetterSeen], registered: Registered) -> None:
    """The run's dead letters per DLQ: a line for all of them, a row for each DLQ that has any."""
    counts = dead_letter_counts([x for x in letters if not retried(x, registered)])
    total = sum(counts.values())
    console.print(f"dead letters of this run: {total} on the {len(counts)} DLQs"
                  + ("" if total else ", every one empty"), style="bold red" if total else "bold")
    for topic, count in counts.items():
        if count:
            reasons = Counter(x.reason for x in letters if x.topic == topic and not retried(x, registered))
            console.print(f"  {topic}: {count} ({', '.join(f'{r} {n}' for r, n in reasons.most_common())})",
                          style="red")
    if registered.codes_taken:
        console.print(f"  ({len(registered.codes_taken)} customers' first identity codes belonged to earlier "
                      "customers: refused, and registered again with others)")


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
        console.print(f"    {name:<11} http://127.0.0.1:{metrics_port(name, settings)}/metrics")
    api = f"http://{settings.api.host}:{settings.api.port}"
    console.print(f"  the register API (once served): {api}/health, {api}/ready, OpenAPI at {api}/docs")



async def summarise(console: Console, month: date, statements: list[BonusStatement], settings: Settings) -> None:
    """The run's households' month by Bonus rate, from their statements on `bonus.statements.v1`."""
    by_rate: dict[int, list[BonusStatement]] = {}
    for statement in statements:
        by_rate.setdefault(statement.rate_bp, []).append(statement)
    table = Table(title=f"Bonus for {month_label(month)}, paid by {next_month(month):%Y-%m}-10")
    for column in ("Bonus %", "households", "purchases €", "Bonus €", "Fuel Bonus €", "payment-method €"):
        table.add_column(column, justify="right")

    def row(label: str, rows: list[BonusStatement], style: str | None = None) -> None:
        table.add_row(label, str(len(rows)), euros(sum(s.tier_total_cents for s in rows)),
                      euros(sum(s.bonus_cents for s in rows)), euros(sum(s.fuel_bonus_cents for s in rows)),
                      euros(sum(s.payment_method_benefit_cents for s in rows)), style=style)

    for rate in sorted(by_rate):
        row(f"{rate / 100:.1f}", by_rate[rate])
    row("all", statements, "bold")
    console.print(table)
    ranked = sorted(statements, key=lambda s: (-s.tier_total_cents, s.household_id))
    if len(ranked) > 10:  # a household's receipts are personal data: read through the register API, audited
        console.print(f"explain a household's month (as a named user, in the audit log): "
                      f"coopreg bonus explain {ranked[10].household_id} {month_label(month)}")


def euros(cents: int | None) -> str:
    return f"{(cents or 0) / 100:,.2f}".replace(",", " ")
