"""The `coopreg` command: one tree for everything an operator does."""
from __future__ import annotations

import typer

from coopreg.cli.stack import app as stack_app

app = typer.Typer(help="coopreg — the owner-customer and customer register.", no_args_is_help=True)
app.add_typer(stack_app, name="stack")


def main() -> None:
    app()
