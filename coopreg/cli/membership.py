"""`coopreg membership yearly-benefits | tax-report`: the yearly runs, in this process against the membership
schema; what they publish leaves through the membership service's outbox."""
from __future__ import annotations

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


async def _in_transaction(settings: Settings, work):
    pool = await open_pool(settings, SERVICE)
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await work(conn, MembershipConfig.from_settings(settings))
    finally:
        await pool.close()


async def _in_chunks(settings: Settings, financial_year: int, day: date, chunk_size: int, again: bool):
    pool = await open_pool(settings, SERVICE)
    try:
        return await pay_yearly_benefits(pool, MembershipConfig.from_settings(settings), financial_year, day,
                                         chunk_size=chunk_size, again=again)
    finally:
        await pool.close()


@app.command("yearly-benefits")
def yearly_benefits(financial_year: int = typer.Argument(..., help="the year the decisions were made on"),
                    paid_on: str = typer.Option(None, help="YYYY-MM-DD, when no decision names the day"),
                    chunk_size: int = typer.Option(1000, min=1, help="members per transaction"),
                    again: bool = typer.Option(False, help="walk a completed run again (still pays nobody twice)")):
    """Pay interest and return of surplus decided on a financial year, from the households' published Bonus
    statements; members are walked in chunks, and a run that stopped resumes where it did (a re-run pays
    nothing twice)."""
    day = date.fromisoformat(paid_on) if paid_on else date(financial_year + 1, 5, 31)
    with sentences("the yearly run"):
        done = run_async(_in_chunks(Settings(), financial_year, day, chunk_size, again))
    resumed = f", resumed for {', '.join(done.resumed)}" if done.resumed else ""
    finished = f"; completed before: {', '.join(done.already_done)}" if done.already_done else ""
    say(f"{done.payouts} payouts, {done.cents / 100:.2f} € in total, staged on membership.benefits.v1 "
        f"({done.members} members in {done.chunks} chunks{resumed}){finished}")


@app.command("tax-report")
def tax_report(year: int = typer.Argument(..., help="the calendar year of the payments"),
               out: Path = typer.Option(Path("reports"), help="directory for the CSV and JSON files")):
    """Write the tax authority report: interest per member and capital refunded to departed members."""
    with sentences("the tax report"):
        report = run_async(_in_transaction(Settings(), lambda conn, config: write_tax_report(
            conn, config, year, out)))
    say(f"wrote {out / report.file_name} (and .json): {report.interest_recipients} interest recipients, "
        f"{report.refund_recipients} refunds")
