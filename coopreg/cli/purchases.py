"""`coopreg purchases conflicts | unresolved`: the receipts that did not simply go through, as the purchases
service reports them on its endpoint (a read function of its own; the CLI never reads its tables)."""
from __future__ import annotations

import typer
from rich.table import Table

from contracts.subjects import ReceiptIssues, ReceiptIssuesRequest
from coopreg.cli.common import console, run_async, sentences
from services.register_api.adapters.services import ServiceClient, ServiceUnavailable
from shared.settings import Settings

app = typer.Typer(help="Receipts that need an operator: conflicting duplicates, unresolved receipts.",
                  no_args_is_help=True)


async def receipt_issues(settings: Settings, conflicts_limit: int = 100) -> ReceiptIssues:
    client = ServiceClient(settings)
    try:
        return await client.ask("purchases", "receipt_issues", ReceiptIssuesRequest(conflicts_limit=conflicts_limit))
    except ServiceUnavailable as error:
        raise RuntimeError(f"{error}; is it running (`coopreg services status`)?") from None
    finally:
        await client.close()


@app.command()
def conflicts(limit: int = typer.Option(100, help="how many of the latest conflicts to list"),
              as_json: bool = typer.Option(False, "--json", help="print the answer as JSON")) -> None:
    """Receipt ids sent again with other content: flagged, never merged (the first content stands)."""
    with sentences("reading the conflicts"):
        issues = run_async(receipt_issues(Settings(), limit))
    if as_json:
        console.print_json(issues.model_dump_json(include={"conflicts_total", "conflicts"}))
        return
    table = Table("receipt id", "outlet", "seen at", title=f"{issues.conflicts_total} conflicting duplicates")
    for c in issues.conflicts:
        table.add_row(c.receipt_id, c.outlet_id or "?", c.seen_at.isoformat(timespec="seconds"))
    console.print(table)


@app.command()
def unresolved(as_json: bool = typer.Option(False, "--json", help="print the answer as JSON")) -> None:
    """Receipts held because their card or member number was not known at purchase time, per outlet and age.
    They are never dropped: a card or member number registered later still resolves them."""
    with sentences("reading the unresolved receipts"):
        issues = run_async(receipt_issues(Settings(), 0))
    if as_json:
        console.print_json(issues.model_dump_json(include={"unresolved_total", "unresolved"}))
        return
    table = Table("outlet", "age", "receipts", "past the horizon", "oldest purchase",
                  title=f"{issues.unresolved_total} unresolved receipts")
    for u in issues.unresolved:
        table.add_row(u.outlet_id, u.age, str(u.receipts), str(u.expired),
                      u.oldest_purchased_at.isoformat(timespec="seconds"))
    console.print(table)
