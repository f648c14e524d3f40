"""`coopreg purchases conflicts | unresolved | staff-discounts`: the receipts that did not simply go through,
as the purchases service reports them on its endpoint (a read function of its own; the CLI never reads its tables)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import typer
from rich.table import Table

from contracts.subjects import ReceiptIssues, ReceiptIssuesRequest, StaffDiscounts, StaffDiscountsRequest
from coopreg.cli.common import OUTPUT, Output, console, run_async, sentences
from services.register_api.adapters.services import ServiceClient, ServiceUnavailable
from shared.settings import Settings

app = typer.Typer(help="Receipts that need an operator: conflicting duplicates, unresolved receipts, staff "
                       "discounts given without the right.",
                  no_args_is_help=True)


@asynccontextmanager
async def _service(settings: Settings) -> AsyncIterator[ServiceClient]:
    """A client for one question to the purchases service; the question is asked by its name at the call, so
    the answer comes back as the model paired with that name."""
    client = ServiceClient(settings)
    try:
        yield client
    except ServiceUnavailable as error:
        raise RuntimeError(f"{error}; is it running (`coopreg services status`)?") from None
    finally:
        await client.close()


async def receipt_issues(settings: Settings, conflicts_limit: int = 100) -> ReceiptIssues:
    async with _service(settings) as client:
        return await client.ask("purchases", "receipt_issues", ReceiptIssuesRequest(conflicts_limit=conflicts_limit))


async def staff_discounts_given(settings: Settings, flagged_only: bool, limit: int) -> StaffDiscounts:
    async with _service(settings) as client:
        return await client.ask("purchases", "staff_discounts",
                                StaffDiscountsRequest(flagged_only=flagged_only, limit=limit))


@app.command()
def conflicts(limit: int = typer.Option(100, help="how many of the latest conflicts to list"),
              output: Output = OUTPUT) -> None:
    """Receipt ids sent again with other content: flagged, never merged (the first content stands)."""
    with sentences("reading the conflicts"):
        issues = run_async(receipt_issues(Settings(), limit))
    if output is Output.json:
        typer.echo(issues.model_dump_json(include={"conflicts_total", "conflicts"}))
        return
    table = Table("receipt id", "outlet", "seen at", title=f"{issues.conflicts_total} conflicting duplicates")
    for c in issues.conflicts:
        table.add_row(c.receipt_id, c.outlet_id or "?", c.seen_at.isoformat(timespec="seconds"))
    console.print(table)


@app.command()
def unresolved(output: Output = OUTPUT) -> None:
    """Receipts held because their card or member number was not known at purchase time, per outlet and age.
    They are never dropped: a card or member number registered later still resolves them."""
    with sentences("reading the unresolved receipts"):
        issues = run_async(receipt_issues(Settings(), 0))
    if output is Output.json:
        typer.echo(issues.model_dump_json(include={"unresolved_total", "unresolved"}))
        return
    table = Table("outlet", "age", "receipts", "past the horizon", "oldest purchase",
                  title=f"{issues.unresolved_total} unresolved receipts")
    for u in issues.unresolved:
        table.add_row(u.outlet_id, u.age, str(u.receipts), str(u.expired),
                      u.oldest_purchased_at.isoformat(timespec="seconds"))
    console.print(table)


@app.command("staff-discounts")
def staff_discounts(flagged: bool = typer.Option(False, "--flagged", help="only those given without the right"),
                    limit: int = typer.Option(100, help="how many of the latest to list"),
                    output: Output = OUTPUT) -> None:
    """Staff discounts given at the tills, latest first; flagged: the customer had no right to it as HR last
    told the register. Receipt ids and outlets only: the person's own extract shows the rest."""
    with sentences("reading the staff discounts"):
        answer = run_async(staff_discounts_given(Settings(), flagged, limit))
    if output is Output.json:
        typer.echo(answer.model_dump_json())
        return
    what = "flagged staff discounts" if flagged else "staff discounts"
    table = Table("receipt id", "outlet", "chain", "purchased at", "discount €", "flagged",
                  title=f"{answer.total} {what}")
    for d in answer.discounts:
        table.add_row(d.receipt_id, d.outlet_id, d.chain, d.purchased_at.isoformat(timespec="seconds"),
                      f"{d.staff_discount_cents / 100:.2f}",
                      {True: "yes", False: "no", None: "not resolved"}[d.flagged])
    console.print(table)
