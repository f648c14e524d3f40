"""`coopreg bonus close | explain`."""
from __future__ import annotations

import typer

from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS
from coopreg.cli.common import console, run_async, say, sentences
from coopreg.client import RegisterClient
from coopreg.explain_view import explain_household
from services.bonus.domain.months import parse_month
from shared.settings import Settings

app = typer.Typer(help="Bonus months: close, explain, month to date.", no_args_is_help=True)


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


@app.command()
def explain(household: str, month: str = typer.Argument(..., help="YYYY-MM")) -> None:
    """Explain a household's Bonus month: total, tier, amounts and the receipts behind them."""
    with sentences("explaining"):
        run_async(explain_household(Settings(), console, household, parse_month(month), max_receipts=1000))


@app.command("month-to-date")
def month_to_date_(household: str = typer.Argument(..., help="the household id"),
                   month: str = typer.Option(None, help="YYYY-MM (default: this month in Finnish time)")) -> None:
    """A household's month so far: purchases toward the tier, the current %, and euros to the next tier."""
    from datetime import datetime, timezone

    from coopreg.month_to_date_view import household_month_to_date, render
    from services.bonus.domain.months import month_of

    with sentences("reading the month to date"):
        chosen = parse_month(month) if month else month_of(datetime.now(timezone.utc))
        render(console, household, chosen, run_async(household_month_to_date(Settings(), household, chosen)))
