"""The `coopreg` command: one tree for everything an operator does."""
from __future__ import annotations

import typer

from coopreg.cli import (
    api, bench, bonus, chaos, dlq, dsar, lookup, membership, ops, prove, purchases, segments, simulate,
)
from coopreg.cli.stack import app as stack_app

app = typer.Typer(help="coopreg — the owner-customer and customer register.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
app.add_typer(stack_app, name="stack")
app.add_typer(ops.services_app, name="services")
app.add_typer(bonus.app, name="bonus")
app.add_typer(purchases.app, name="purchases")
app.add_typer(dlq.app, name="dlq")
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


def main() -> None:
    app()
