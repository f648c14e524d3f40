"""`coopreg simulate traffic | month`: simulated POS traffic through the running services."""
from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from coopreg.cli.common import OUTPUT, Output, console, errors, print_json, run_async, say, sentences, show
from services.bonus.domain.months import month_label, parse_month
from shared.settings import Settings

app = typer.Typer(help="Simulated POS traffic through the running services (`coopreg services up` first).",
                  no_args_is_help=True)


def ended_month(text: str) -> date:
    """A month given as YYYY-MM that has ended (a whole month of receipts lies in the past)."""
    month = parse_month(text)
    today = date.today()
    if month >= date(today.year, today.month, 1):
        raise ValueError(f"{month_label(month)} has not ended; choose an earlier month, or send today's traffic "
                         "with `coopreg simulate traffic`")
    return month


def _summary(result: dict) -> None:
    table = Table(title=f"run {result['run']}: {result['sent']} receipts at {result['sent_rate_per_s']}/s")
    for column in ("sent", "malformed sent", "stored", "accepted published", "dead-lettered"):
        table.add_column(column, justify="right")
    table.add_row(*(str(result[k]) for k in ("sent", "invalid_sent", "stored", "accepted_published",
                                             "dead_lettered")))
    console.print(table)


@app.command()
def traffic(rate: int = typer.Option(100, min=1, max=100_000, help="receipts per second"),
            seconds: float = typer.Option(10.0, min=0.1, max=86_400, help="how long to send"),
            households: int = typer.Option(200, min=1, max=1_000_000, help="simulated households (their cards "
                                                                            "are published first)"),
            invalid: float = typer.Option(0.0, min=0.0, max=1.0, help="share of malformed receipts (to the DLQ)"),
            drain: float = typer.Option(60.0, min=0.0, help="seconds to wait afterwards for the services to "
                                                            "store everything sent"),
            output: Output = OUTPUT) -> None:
    """POS traffic at a chosen rate to pos.purchases.v1, with live counters: sent, stored, accepted
    published, dead-lettered (`--output json`: the counters as one JSON document, the live ones on stderr)."""
    from coopreg.simulate.runs import simulate_traffic

    with sentences("the traffic simulation"):
        # with json asked for, stdout carries the one document only: the live counters go to stderr
        live = errors if output is Output.json else console
        result = run_async(simulate_traffic(Settings(), live, rate=rate, seconds=seconds, households=households,
                                            invalid=invalid, drain=drain))
    if output is Output.json:
        print_json(result)
    else:
        _summary(result)
    if not result["settled"]:
        say(f"not everything sent was stored or dead-lettered within {drain:g} s: the services are behind or "
            "not running; check `coopreg services status` and .stack/services/*.log, or wait longer with --drain")
        raise typer.Exit(1)


@app.command()
def month(households: int = typer.Option(300, min=1, max=1_000_000, help="simulated households"),
          month: str = typer.Option(..., "--month", help="YYYY-MM, a month that has ended and is still open"),
          output: Output = OUTPUT) -> None:
    """A whole month of receipts for a new population: cards issued, receipts published, stored and booked
    for Bonus (`--output json`: the run as one JSON document)."""
    from coopreg.simulate.runs import simulate_month

    with sentences("the month simulation"):
        chosen = ended_month(month)
        live = errors if output is Output.json else console
        result = run_async(simulate_month(Settings(), live, households=households, month=chosen))
    say(f"{result['receipts']} receipts of {result['households']} households booked for {result['month']}; "
        f"explain one with `coopreg bonus explain {result['example_household']} {result['month']}`, close the "
        f"month with `coopreg bonus close {result['month']}`")
    show(result, output, title=f"a month of receipts for {result['month']}")
