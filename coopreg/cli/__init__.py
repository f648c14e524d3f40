"""The `coopreg` command: one tree for everything an operator does."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version

import typer

from coopreg.cli import (
    api,
    bench,
    bonus,
    chaos,
    dlq,
    dsar,
    kafka,
    lookup,
    membership,
    ops,
    prove,
    purchases,
    segments,
    simulate,
)
from coopreg.cli.errors import SentenceGroup
from coopreg.cli.stack import app as stack_app

app = typer.Typer(help="coopreg — the owner-customer and customer register.", no_args_is_help=True,
                  pretty_exceptions_enable=False, cls=SentenceGroup)


def _version() -> str:
    try:
        return installed_version("coopreg")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed: `make setup`)"


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"coopreg {_version()}")
        raise typer.Exit()


@app.callback()
def root(version: bool = typer.Option(False, "--version", help="print the version and exit", is_eager=True,
                                      callback=_print_version)) -> None:
    """coopreg — the owner-customer and customer register."""
    from shared.logging import configure_logging
    from shared.settings import Settings

    # Warnings and errors only: what a command has to say it says in sentences; the log lines are JSON as
    # every process's are, unless COOPREG_LOG_FORMAT=console asks for text.
    configure_logging("WARNING", Settings().log_format)


app.add_typer(stack_app, name="stack")
app.add_typer(ops.services_app, name="services")
app.add_typer(bonus.app, name="bonus")
app.add_typer(purchases.app, name="purchases")
app.add_typer(dlq.app, name="dlq")
app.add_typer(kafka.app, name="kafka")
app.add_typer(bench.app, name="bench")
app.add_typer(membership.app, name="membership")
app.add_typer(segments.app, name="segments")
app.add_typer(api.app, name="api")
app.add_typer(simulate.app, name="simulate")
app.add_typer(lookup.app, name="lookup")
app.add_typer(dsar.app, name="dsar")
app.add_typer(prove.app, name="prove")
app.command()(ops.run)
app.command()(ops.demo)
app.command()(ops.docs)
app.command()(chaos.chaos)
app.command()(bench.soak)


def main() -> None:
    app()
