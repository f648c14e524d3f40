"""`coopreg bench ingest | close | dsar`: benchmarks on the local real stack; the figures as a table for people, and
always as the last line, one JSON object (alone with `--output json`)."""
from __future__ import annotations

import json
import os

import typer
from rich.table import Table

from coopreg.cli.common import OUTPUT, Output, console, print_json, run_async, say, sentences

app = typer.Typer(help="Benchmarks on the local real stack.", no_args_is_help=True)


def report(title: str, figures: dict, output: Output) -> None:
    # Benchmarks run on machines shared with others: the load beside the run says how far to trust its figures.
    figures = {**figures, "machine_load_1m": round(os.getloadavg()[0], 1), "machine_cpus": os.cpu_count()}
    if output is Output.json:
        print_json(figures)
        return
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in figures.items():
        table.add_row(name, json.dumps(value) if isinstance(value, dict) else f"{value:,}".replace(",", " ")
                      if isinstance(value, int) and not isinstance(value, bool) else str(value))
    console.print(table)
    print_json(figures)  # the last line stays the figures as one JSON object, for scripts and reports


@app.command()
def ingest(receipts: int = typer.Option(200_000, help="receipts in the backlog"),
           rate: int = typer.Option(1000, help="offered rate for the latency measurement, receipts/s"),
           latency_seconds: int = typer.Option(15, help="how long to offer that rate"),
           instances: int = typer.Option(1, help="instances of purchases and of bonus, each sharing its partitions"),
           output: Output = OUTPUT) -> None:
    """POS receipts end to end: backlog throughput, ceilings, latency at a steady rate, memory."""
    from coopreg.bench.ingest import bench_ingest

    with sentences("the ingest benchmark"):
        figures = run_async(bench_ingest(receipts, rate, latency_seconds, say, instances))
    report("coopreg bench ingest", figures, output)


@app.command()
def close(households: int = typer.Option(2_600_000, help="households with purchases in the month"),
          while_ingesting: int = typer.Option(0, help="receipts a second arriving during the close (late ones "
                                                     "for the closing month among them); 0: none"),
          output: Output = OUTPUT) -> None:
    """A month for millions of households closed by the bonus service, every payout published; with
    --while-ingesting, beside live receipts (`ingest_p99_ms_during_close`)."""
    from coopreg.bench.close import bench_close

    with sentences("the close benchmark"):
        figures = run_async(bench_close(households, say, while_ingesting))
    report("coopreg bench close", figures, output)


@app.command()
def dsar(days: int = typer.Option(730, help="days of purchases (two years)"),
         receipts_per_day: int = typer.Option(2, help="receipts a day"),
         rounds: int = typer.Option(5, help="extracts timed"), output: Output = OUTPUT) -> None:
    """A register extract for a person with two years of purchases: gathered, sealed, downloaded (target ≤ 1 s)."""
    from coopreg.bench.dsar import bench_dsar

    with sentences("the extract benchmark"):
        figures = run_async(bench_dsar(days, receipts_per_day, rounds, say))
    report("coopreg bench dsar", figures, output)


@app.command()
def api(connections: int = typer.Option(1500, help="clients, each holding one keep-alive connection to the API"),
        rate: float = typer.Option(30.0, help="requests a second offered by all of them together"),
        seconds: float = typer.Option(60.0, help="how long to offer that rate"),
        persons: int = typer.Option(40, help="members seeded (each with a month of purchases)"),
        output: Output = OUTPUT) -> None:
    """The register API under concurrent staff lookups, My data reads and consent changes (target: no 5xx,
    p99 ≤ 1 s). The API's rate limits are turned off for the run: every client comes from one address."""
    from coopreg.bench.api import bench_api

    with sentences("the API benchmark"):
        figures = run_async(bench_api(connections, rate, seconds, persons, say))
    report("coopreg bench api", figures, output)


def soak(minutes: float = typer.Option(30.0, help="how long to run"),
         rate: int = typer.Option(100, help="receipts a second, steady"),
         restart_every: float = typer.Option(120.0, help="seconds between restarts (purchases and bonus in turn)"),
         sample_seconds: float = typer.Option(15.0, help="seconds between samples"),
         output: Output = OUTPUT) -> None:
    """The receipt path at a steady rate with periodic restarts: memory, descriptors, PostgreSQL sessions and
    consumer lag sampled as JSON lines; the last line, each series' slope per minute (flat: no leak)."""
    from coopreg.bench.soak import soak as run_soak

    with sentences("the soak"):
        summary = run_async(run_soak(minutes, rate, restart_every, sample_seconds, say,
                                     lambda sample: print(json.dumps(sample), flush=True)))
    report("coopreg soak", summary, output)
