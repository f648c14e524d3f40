"""`coopreg membership yearly-benefits | tax-report`: the yearly runs, in this process against the membership
schema; what they publish leaves through the membership service's outbox."""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import typer

from coopreg.cli.common import run_async, say, sentences
from services.membership.application.config import MembershipConfig
from services.membership.application.tax_report import write_tax_report
from services.membership.application.yearly import pay_yearly_benefits
from services.membership.entrypoints.service import SERVICE
from shared.runtime import open_pool
from shared.settings import Settings

app = typer.Typer(help="Membership: yearly benefits and the tax authority report.", no_args_is_help=True)


def _purchases(path: Path | None) -> dict[str, int]:
    """household_id,cents rows: each household's Bonus purchases at its own cooperative in the year."""
    if path is None:
        return {}
    with open(path, newline="", encoding="utf-8") as file:
        return {row["household_id"]: int(row["cents"]) for row in csv.DictReader(file)}


async def _in_transaction(settings: Settings, work):
    pool = await open_pool(settings, SERVICE)
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await work(conn, MembershipConfig.from_settings(settings))
    finally:
        await pool.close()


@app.command("yearly-benefits")
def yearly_benefits(financial_year: int = typer.Argument(..., help="the year the decisions were made on"),
                    paid_on: str = typer.Option(None, help="YYYY-MM-DD, when no decision names the day"),
                    purchases: Path = typer.Option(None, help="CSV household_id,cents for the surplus return")):
    """Pay interest and return of surplus decided on a financial year (a re-run pays nothing twice)."""
    day = date.fromisoformat(paid_on) if paid_on else date(financial_year + 1, 5, 31)
    with sentences("the yearly run"):
        done = run_async(_in_transaction(Settings(), lambda conn, config: pay_yearly_benefits(
            conn, config, financial_year, day, _purchases(purchases))))
    say(f"{done.payouts} payouts, {done.cents / 100:.2f} € in total, staged on membership.benefits.v1")


@app.command("tax-report")
def tax_report(year: int = typer.Argument(..., help="the calendar year of the payments"),
               out: Path = typer.Option(Path("reports"), help="directory for the CSV and JSON files")):
    """Write the tax authority report: interest per member and capital refunded to departed members."""
    with sentences("the tax report"):
        report = run_async(_in_transaction(Settings(), lambda conn, config: write_tax_report(
            conn, config, year, out)))
    say(f"wrote {out / report.file_name} (and .json): {report.interest_recipients} interest recipients, "
        f"{report.refund_recipients} refunds")
