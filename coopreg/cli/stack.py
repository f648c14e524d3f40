"""`coopreg stack up | down | status`."""
from __future__ import annotations

import typer
from rich.console import Console

from coopreg.cli.common import OUTPUT, Output, show
from coopreg.stack import Stack
from shared.settings import Settings

app = typer.Typer(help="Start and stop the local Kafka broker and PostgreSQL server.", no_args_is_help=True)
console = Console(stderr=True)


def _say(text: str) -> None:
    console.print(f"[cyan]stack[/]: {text}")


def _fail(error: Exception) -> None:
    console.print(f"[red]stack: {error}[/]")
    raise typer.Exit(1)


@app.command()
def up() -> None:
    """Start Kafka and PostgreSQL (harmless when they already run)."""
    try:
        Stack(Settings()).up(_say)
    except Exception as error:  # noqa: BLE001 - an operator gets a sentence, not a traceback
        _fail(error)


@app.command()
def down() -> None:
    """Stop what `up` started."""
    Stack(Settings()).down(_say)


@app.command()
def status(output: Output = OUTPUT) -> None:
    """Say what runs where."""
    show(Stack(Settings()).status(), output, title="the stack")
