"""`coopreg chaos`: a month of POS traffic under faults, checked against an oracle; the last line is JSON."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from coopreg.cli.common import console, run_async, say, sentences
from shared.logging import configure_logging

JSON_FIGURES = ("produced", "stored", "duplicates_ignored", "conflicts_flagged", "lost", "double_counted", "dlq",
                "ledger_diff_cents", "payouts_diff_cents", "faults_injected")


def chaos(receipts: int = typer.Option(100_000, help="valid POS receipts in the month (1 % of them returns)"),
          seed: int = typer.Option(2026, help="seed of the population, the traffic and the fault schedule"),
          kills: int = typer.Option(6, help="SIGKILLs of purchases and bonus processes while they consume"),
          instances: int = typer.Option(1, help="instances of each service in its consumer group"),
          publish_seconds: float = typer.Option(
              180, help="how long the POS traffic is spread over (the faults fall in it)"),
          kafka_port: int = typer.Option(39092, help="the dedicated broker's port (controller on +1)"),
          pg_port: int = typer.Option(35432, help="the dedicated PostgreSQL server's port"),
          stack_dir: Path = typer.Option(None, help="the dedicated stack's directory [default: .stack-chaos]")) -> None:
    """Prove "no purchase lost, none counted twice, every cent right" under crashes and restarts."""
    from coopreg.chaos.config import ChaosConfig, DedicatedStack, FaultCounts
    from coopreg.chaos.runner import run_chaos

    configure_logging("WARNING", "console")
    config = ChaosConfig(receipts=receipts, seed=seed, instances=instances, publish_seconds=publish_seconds,
                         faults=FaultCounts(kill_purchases=kills - kills // 2, kill_bonus=kills // 2),
                         stack=DedicatedStack(kafka_port, pg_port, (stack_dir or DedicatedStack.dir).resolve()))
    with sentences("the chaos run"):
        report = run_async(run_chaos(config, say))
    faults = Table(title="faults injected")
    for column in ("#", "fault", "target", "at s", "back after s"):
        faults.add_column(column)
    for n, fault in enumerate(report.faults, start=1):
        faults.add_row(str(n), fault.kind, fault.target, f"{fault.at:.1f}", f"{fault.seconds:.1f}")
    console.print(faults)
    figures = Table(title="coopreg chaos: the register against the oracle")
    figures.add_column("figure")
    figures.add_column("value", justify="right")
    for name, value in report.figures.items():
        figures.add_row(name, str(value))
    console.print(figures)
    print(json.dumps({name: report.figures[name] for name in JSON_FIGURES} | {"ok": report.ok}))
    if not report.ok:
        raise typer.Exit(1)
