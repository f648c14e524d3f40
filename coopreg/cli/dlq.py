"""`coopreg dlq list | replay`."""
from __future__ import annotations

import typer
from rich.table import Table

from coopreg import dlq
from coopreg.cli.common import console, run_async, say, sentences
from shared.settings import Settings

app = typer.Typer(help="Dead-letter topics: see why messages failed, replay them.", no_args_is_help=True)


@app.command("list")
def list_(topic: str = typer.Argument(..., help="the original topic, e.g. pos.purchases.v1"),
          show: int = typer.Option(20, help="how many dead letters to show")) -> None:
    """Count the dead letters of a topic by reason and show the latest."""
    with sentences("reading the DLQ"):
        letters = run_async(dlq.dead_letters(Settings(), topic))
    table = Table(title=f"{topic}.dlq: {len(letters)} dead letters")
    for column in ("offset", "consumer", "reason", "detail"):
        table.add_column(column)
    for letter in letters[-show:]:
        table.add_row(str(letter.offset), letter.consumer, letter.reason, letter.detail)
    console.print(table)
    for reason, count in dlq.reasons(letters).most_common():
        console.print(f"  {reason}: {count}")


@app.command()
def replay(topic: str = typer.Argument(..., help="the original topic, e.g. pos.purchases.v1"),
           limit: int = typer.Option(None, help="replay at most this many")) -> None:
    """Send dead letters back to their original topic (after the cause is fixed)."""
    with sentences("replaying"):
        count = run_async(dlq.replay(Settings(), topic, limit))
    say(f"replayed {count} messages to {topic}")
