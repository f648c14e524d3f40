"""`coopreg chaos`: a month of the register's traffic under faults, checked against an oracle; the verdict as a
table for people and, always as the last line, one JSON object (alone with `--output json`). The default scenario
is the whole register (every service and the register API, two instances each); `--scenario receipts` is POS
traffic for purchases and bonus alone."""
from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from coopreg.cli.common import OUTPUT, Output, console, print_json, run_async, say, sentences

JSON_FIGURES = ("produced", "stored", "duplicates_ignored", "conflicts_flagged", "lost", "double_counted", "dlq",
                "ledger_diff_cents", "payouts_diff_cents", "faults_injected")
# The whole register's promises besides (all 0 when it passes), and the dead letters by topic and reason.
REGISTER_FIGURES = ("households_wrong", "segment_leaks", "erasure_found", "events_conflicting", "dlq_reasons")


def chaos(scenario: str = typer.Option("register", help="register: the whole register; receipts: POS traffic "
                                                           "for purchases and bonus alone"),
          receipts: int = typer.Option(100_000, help="valid POS receipts in the month (1 % of them returns)"),
          seed: int = typer.Option(2026, help="seed of the population, the traffic and the fault schedule"),
          kills: int = typer.Option(6, help="receipts: SIGKILLs of purchases and bonus processes while they "
                                         "consume (register: 8 round every service and the API)"),
          pauses: int = typer.Option(1, help="SIGSTOPs of an instance past the consumer session timeout"),
          network: int = typer.Option(3, help="network faults through the proxy: latency, resets, blackhole in turn"),
          pairs: int = typer.Option(1, help="two faults at once"),
          instances: int | None = typer.Option(None, help="instances of each service [default: register 2, "
                                                          "receipts 1]"),
          publish_seconds: float = typer.Option(
              180, help="how long the POS traffic is spread over (the faults fall in it)"),
          kafka_port: int = typer.Option(29092, help="the dedicated broker's port (controller on +1)"),
          pg_port: int = typer.Option(25432, help="the dedicated PostgreSQL server's port"),
          stack_dir: Path | None = typer.Option(None, help="the dedicated stack's directory [default: .stack-chaos]"),
          output: Output = OUTPUT) -> None:
    """Prove "no purchase lost, none counted twice, every cent right" under crashes and restarts."""
    from coopreg.chaos.config import WHOLE_REGISTER_FAULTS, ChaosConfig, DedicatedStack, FaultCounts
    from coopreg.chaos.runner import run_chaos

    if scenario not in ("register", "receipts"):
        raise typer.BadParameter("choose register or receipts", param_hint="--scenario")
    whole = scenario == "register"
    receipts_faults = FaultCounts(kill_purchases=kills - kills // 2, kill_bonus=kills // 2, pause=pauses,
                                  net_latency=-(-network // 3), net_reset=-(-(network - 1) // 3),
                                  net_blackhole=-(-(network - 2) // 3), two_at_once=pairs, postgres_kill=1)
    config = ChaosConfig(scenario=scenario, receipts=receipts, seed=seed, instances=instances or (2 if whole else 1),
                         publish_seconds=publish_seconds, faults=WHOLE_REGISTER_FAULTS if whole else receipts_faults,
                         stack=DedicatedStack(kafka_port, pg_port, (stack_dir or DedicatedStack.dir).resolve()))
    with sentences("the chaos run"):
        report = run_async(run_chaos(config, say))
    shown = JSON_FIGURES + (REGISTER_FIGURES if whole else ())
    verdict = {name: report.figures[name] for name in shown} | {"ok": report.ok}
    if output is Output.json:
        print_json(verdict)
        raise typer.Exit(0 if report.ok else 1)
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
    print_json(verdict)  # the last line stays the verdict as one JSON object, for scripts and CI
    if not report.ok:
        raise typer.Exit(1)
