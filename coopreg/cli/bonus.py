"""`coopreg bonus close | explain | month-to-date`. Explain and month to date read a household's Bonus through
the register API under a named user (`--user`, `--role`, `--purpose`): its access rules apply and the read is
in the audit log, as a read of everyone who belonged to the household in the month."""
from __future__ import annotations

import typer

from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS
from coopreg.cli.common import console, run_async, say, sentences
from coopreg.cli.staff_options import PURPOSE, USER, as_staff, role_option
from coopreg.client import RegisterClient
from coopreg.staff_session import StaffSession
from services.bonus.domain.months import month_label, parse_month
from shared.settings import Settings

app = typer.Typer(help="Bonus months: close, explain, month to date.", no_args_is_help=True)
ROLE = role_option("finance")


async def _close(settings: Settings, month: str) -> None:
    async with RegisterClient(settings) as client:
        await client.send(BONUS_COMMANDS, month, CloseBonusMonth(month=month))
        await client.flush()


@app.command()
def close(month: str = typer.Argument(..., help="YYYY-MM, a calendar month in Finnish time")) -> None:
    """Ask the bonus service to close a month: price every household once and publish the payouts.

    Only a month that has ended (Helsinki time) and whose grace for late receipts has passed
    (COOPREG_BONUS_CLOSE_GRACE_HOURS, 48 by default) can be closed; the service refuses others too."""
    from datetime import datetime, timezone

    from services.bonus.application.close_schedule import close_calendar

    with sentences("requesting the close"):
        settings = Settings()
        close_calendar(settings.bonus).check_closable(parse_month(month), datetime.now(timezone.utc))
        run_async(_close(settings, month))
    say(f"close of {month} requested; the bonus service publishes payouts on bonus.payouts.v1")


def _month(text: str) -> str:
    with sentences("reading the month"):
        return month_label(parse_month(text))


@app.command()
def explain(household: str = typer.Argument(..., help="the household id"),
            month: str = typer.Argument(..., help="YYYY-MM"),
            user: str = USER, role: str = ROLE, purpose: str = PURPOSE) -> None:
    """Explain a household's Bonus month: total, tier, amounts and the receipts behind them, and apart from them
    the returns and late purchases booked after the month closed, with the close that paid them."""
    from coopreg.explain_view import render

    chosen = _month(month)

    async def work(session: StaffSession) -> dict:
        return await session.call("GET", f"/households/{household}/bonus/{chosen}", "household")
    render(console, as_staff("explaining", user, role, purpose, work)["bonus"])


@app.command("month-to-date")
def month_to_date_(household: str = typer.Argument(..., help="the household id"),
                   month: str = typer.Option(None, help="YYYY-MM (default: this month in Finnish time)"),
                   user: str = USER, role: str = ROLE, purpose: str = PURPOSE) -> None:
    """A household's month so far: purchases toward the tier, the current %, and euros to the next tier."""
    from coopreg.month_to_date_view import render

    params = {"month": _month(month)} if month else {}

    async def work(session: StaffSession) -> dict:
        return await session.call("GET", f"/households/{household}/bonus/month-to-date", "household",
                                  params=params)
    render(console, as_staff("reading the month to date", user, role, purpose, work)["bonus"])


