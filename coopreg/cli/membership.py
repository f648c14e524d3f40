"""`coopreg membership yearly-benefits | tax-report`: the yearly runs, in this process against the membership
schema; what they publish leaves through the membership service's outbox. The tax report is kept sealed in
the membership schema; a copy for the tax authority is downloaded through the register API, by the finance
role only and in the audit log (`--out`)."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import typer

from coopreg.cli.common import OUTPUT, Output, print_json, run_async, say, sentences
from coopreg.cli.staff_options import USER, as_staff, role_option
from coopreg.staff_session import StaffSession
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
                    paid_on: str | None = typer.Option(None, help="YYYY-MM-DD, when no decision names the day"),
                    chunk_size: int = typer.Option(1000, min=1, help="members per transaction"),
                    again: bool = typer.Option(False, help="walk a completed run again (still pays nobody twice)"),
                    output: Output = OUTPUT):
    """Pay interest and return of surplus decided on a financial year, from the households' published Bonus
    statements; members are walked in chunks, and a run that stopped resumes where it did (a re-run pays
    nothing twice)."""
    day = date.fromisoformat(paid_on) if paid_on else date(financial_year + 1, 5, 31)
    with sentences("the yearly run"):
        done = run_async(_in_chunks(Settings(), financial_year, day, chunk_size, again))
    if output is Output.json:
        print_json(done)
        return
    resumed = f", resumed for {', '.join(done.resumed)}" if done.resumed else ""
    finished = f"; completed before: {', '.join(done.already_done)}" if done.already_done else ""
    say(f"{done.payouts} payouts, {done.cents / 100:.2f} € in total, staged on membership.benefits.v1 "
        f"({done.members} members in {done.chunks} chunks{resumed}){finished}")


def _write_private(path: Path, text: str) -> None:
    """Readable by its owner only: the copy holds identity codes."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
        file.write(text)


@app.command("tax-report")
def tax_report(year: int = typer.Argument(..., help="the calendar year of the payments"),
               out: Path | None = typer.Option(None, help="also download the report through the register API into this "
                                                   "directory (CSV and JSON) for submission: finance role only, "
                                                   "audited"),
               user: str | None = USER, role: str = role_option("finance"),
               purpose: str | None = typer.Option(None, "--purpose", help="why the report is read (default for "
                                                                          "finance: tax_reporting)"),
               output: Output = OUTPUT):
    """Write the tax authority report (interest per member, capital refunded to departed members): kept sealed
    in the register and deleted by retention after its period; an event with the totals."""
    with sentences("the tax report"):
        report = run_async(_in_transaction(Settings(), lambda conn, config: write_tax_report(conn, config, year)))
    say(f"{report.file_name} kept sealed in the register: {report.interest_recipients} interest recipients, "
        f"{report.refund_recipients} refunds (sha256 {report.sha256[:12]}…)")
    if out is None:
        if output is Output.json:
            print_json({"report": report.model_dump(mode="json"), "downloaded": None})
        return

    async def work(session: StaffSession) -> dict:
        return await session.call("GET", f"/tax-reports/{year}", "tax report")
    purpose = purpose or ("tax_reporting" if role == "finance" else None)
    found = as_staff("downloading the tax report", user, role, purpose, work)["tax_report"]
    with sentences("writing the tax report"):
        out.mkdir(parents=True, exist_ok=True)
        _write_private(out / found["file_name"], found["csv"])
        _write_private(out / found["file_name"].replace(".csv", ".json"), found["json"])
    if output is Output.json:
        print_json({"report": report.model_dump(mode="json"),
                    "downloaded": [str(out / found["file_name"]),
                                   str(out / found["file_name"].replace(".csv", ".json"))]})
    say(f"downloaded {out / found['file_name']} (and .json) for submission, as {user or 'you'} in the audit log; "
        "delete the copy once it is submitted (the register keeps its own, sealed)")
