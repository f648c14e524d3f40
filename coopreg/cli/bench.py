"""`coopreg bench ingest`: benchmarks on the local real stack; the last line is one JSON object."""
from __future__ import annotations

import json

import typer
from rich.table import Table

from coopreg.cli.common import console, run_async, say, sentences
from shared.logging import configure_logging

app = typer.Typer(help="Benchmarks on the local real stack.", no_args_is_help=True)


def report(title: str, figures: dict) -> None:
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, json.dumps(value) if isinstance(value, dict) else f"{value:,}".replace(",", " ")
                      if isinstance(value, int) else str(value))
    console.print(table)
    print(json.dumps(figures))


@app.command()
def ingest(receipts: int = typer.Option(200_000, help="receipts in the backlog"),
           rate: int = typer.Option(1000, help="offered rate for the latency measurement, receipts/s"),
           latency_seconds: int = typer.Option(15, help="how long to offer that rate"),
           instances: int = typer.Option(1, help="instances of purchases and of bonus, each sharing its partitions"),
           ) -> None:
    """POS receipts end to end: backlog throughput, ceilings, latency at a steady rate, memory."""
    from coopreg.bench.ingest import bench_ingest

    configure_logging("WARNING", "console")
    with sentences("the ingest benchmark"):
        figures = run_async(bench_ingest(receipts, rate, latency_seconds, say, instances))
    report("coopreg bench ingest", figures)


@app.command()
def close(households: int = typer.Option(2_600_000, help="households with purchases in the month")) -> None:
    """A month for millions of households closed by the bonus service, every payout published."""
    from coopreg.bench.close import bench_close

    configure_logging("WARNING", "console")
    with sentences("the close benchmark"):
        figures = run_async(bench_close(households, say))
    report("coopreg bench close", figures)


@app.command()
def dsar(days: int = typer.Option(730, help="days of purchases (two years)"),
         receipts_per_day: int = typer.Option(2, help="receipts a day"),
         rounds: int = typer.Option(5, help="extracts timed")) -> None:
    """A register extract for a person with two years of purchases: gathered, sealed, downloaded (target ≤ 1 s)."""
    from coopreg.bench.dsar import bench_dsar

    configure_logging("WARNING", "console")
    with sentences("the extract benchmark"):
        figures = run_async(bench_dsar(days, receipts_per_day, rounds, say))
    report("coopreg bench dsar", figures)
