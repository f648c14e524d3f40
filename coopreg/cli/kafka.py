"""`coopreg kafka topics | groups | dlq`: the Kafka side of the register, through Kafka's admin API."""
from __future__ import annotations

import typer
from rich.console import JustifyMethod
from rich.table import Table

from coopreg import kafka_view
from coopreg.cli.common import OUTPUT, Output, console, plain, print_json, run_async
from shared.settings import Settings

app = typer.Typer(help="Kafka as an operator sees it: topics, consumer groups with lag, dead-letter queues.",
                  no_args_is_help=True)


def _days(ms: int | None) -> str:
    if ms is None:
        return "for ever"
    return f"{ms / 86_400_000:g} d" if ms >= 86_400_000 else f"{ms / 3_600_000:g} h"


def _add_columns(table: Table, *columns: tuple[str, JustifyMethod]) -> None:
    for column, justify in columns:
        table.add_column(column, justify=justify)


@app.command()
def topics(output: Output = OUTPUT) -> None:
    """Every topic: partitions, replication, cleanup policy, retention and messages kept (like `kcat -L`)."""
    found = run_async(kafka_view.topics(Settings()))
    if output is Output.json:
        print_json(found)
        return
    table = Table(title=f"{len(found)} topics")
    _add_columns(table, ("topic", "left"), ("partitions", "right"), ("replicas", "right"),
                 ("cleanup", "left"), ("retention", "right"), ("messages", "right"))
    for t in found:
        table.add_row(t.name, str(t.partitions), str(t.replication), t.cleanup, _days(t.retention_ms),
                      str(t.messages))
    console.print(table)


@app.command()
def groups(output: Output = OUTPUT) -> None:
    """Every consumer group: state, members, and per partition the committed offset, the end and the lag
    (like `kafka-consumer-groups --describe --all-groups`)."""
    found = run_async(kafka_view.groups(Settings()))
    if output is Output.json:
        print_json([{**plain(g), "lag": g.lag, "partitions": [{**plain(p), "lag": p.lag} for p in g.partitions]}
                    for g in found])
        return
    table = Table(title=f"{len(found)} consumer groups, lag {sum(g.lag for g in found)}")
    _add_columns(table, ("group", "left"), ("state", "left"), ("topic", "left"), ("partition", "right"),
                 ("committed", "right"), ("end", "right"), ("lag", "right"), ("member", "left"))
    for g in found:
        for i, p in enumerate(g.partitions):
            table.add_row(g.group if i == 0 else "", f"{g.state}, {g.members} members" if i == 0 else "",
                          p.topic, str(p.partition), "-" if p.committed is None else str(p.committed), str(p.end),
                          str(p.lag), p.member or "-")
    console.print(table)


@app.command()
def dlq(output: Output = OUTPUT) -> None:
    """Every dead-letter queue with its dead letters counted by reason (`coopreg dlq list <topic>` for one)."""
    found = run_async(kafka_view.dead_letter_queues(Settings()))
    if output is Output.json:
        print_json([{"topic": d.topic, "dead_letters": d.dead_letters, "reasons": dict(d.reasons)} for d in found])
        return
    table = Table(title=f"{len(found)} dead-letter queues, {sum(d.dead_letters for d in found)} dead letters")
    _add_columns(table, ("topic", "left"), ("dead letters", "right"), ("by reason", "left"))
    for d in found:
        table.add_row(d.topic, str(d.dead_letters), ", ".join(f"{r} {n}" for r, n in d.reasons.most_common()))
    console.print(table)
