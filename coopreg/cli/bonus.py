"""`coopreg bonus close | explain | month-to-date | campaigns`. Explain and month to date read a household's Bonus
through the register API under a named user (`--user`, `--role`, `--purpose`): its access rules apply and the
read is in the audit log, as a read of everyone who belonged to the household in the month. The campaigns are
created, listed and ended the same way; a change is audited with the command it publishes."""
from __future__ import annotations

from datetime import datetime

import typer

from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS
from coopreg.cli.common import OUTPUT, Output, console, print_json, run_async, say, sentences
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
    from datetime import timezone

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
            user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE, output: Output = OUTPUT) -> None:
    """Explain a household's Bonus month: total, tier, amounts and the receipts behind them, and apart from them
    the returns and late purchases booked after the month closed, with the close that paid them."""
    from coopreg.explain_view import render

    chosen = _month(month)

    async def work(session: StaffSession) -> dict:
        return await session.call("GET", f"/households/{household}/bonus/{chosen}", "household")
    found = as_staff("explaining", user, role, purpose, work)["bonus"]
    if output is Output.json:
        print_json(found)
    else:
        render(console, found)


@app.command("month-to-date")
def month_to_date_(household: str = typer.Argument(..., help="the household id"),
                   month: str | None = typer.Option(None, help="YYYY-MM (default: this month in Finnish time)"),
                   user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE,
                   output: Output = OUTPUT) -> None:
    """A household's month so far: purchases toward the tier, the current %, and euros to the next tier."""
    from coopreg.month_to_date_view import render

    params = {"month": _month(month)} if month else {}

    async def work(session: StaffSession) -> dict:
        return await session.call("GET", f"/households/{household}/bonus/month-to-date", "household",
                                  params=params)
    found = as_staff("reading the month to date", user, role, purpose, work)["bonus"]
    if output is Output.json:
        print_json(found)
    else:
        render(console, found)




campaigns_app = typer.Typer(help="Double Bonus campaigns: create, list, end (through the register API, audited).",
                            no_args_is_help=True)
app.add_typer(campaigns_app, name="campaigns")
CAMPAIGNS_TOPIC = "bonus.campaigns.v1"


def _time(text: str, what: str):
    """An ISO time; one without an offset is Helsinki time, as finance staff plan campaigns."""
    from services.bonus.domain.months import HELSINKI

    with sentences(f"reading {what}"):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text!r} is not a time; write it as 2026-12-01T00:00 (Helsinki) or with its "
                             "offset, 2026-12-01T00:00+02:00") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=HELSINKI)


def _say_change(answer: dict, done: str, output: Output) -> None:
    if output is Output.json:
        print_json(answer)
        return
    change = answer["change"]
    if answer["published"]:
        say(f"campaign {change['campaign_id']} {done}: published on {change['topic']} (change {change['change_id']});"
            " the bonus service applies it, or refuses it to the dead letters (`coopreg dlq list bonus.campaigns.v1`)")
    else:
        say(f"campaign {change['campaign_id']} {done}: staged (change {change['change_id']}) but not yet published;"
            " Kafka did not take it in time, and the register API publishes it when it next runs")


@campaigns_app.command("create")
def campaigns_create(campaign_id: str = typer.Argument(..., help="a new id, e.g. kaleva-reopening-2026"),
                     cooperative: str = typer.Option(..., "--cooperative", help="the cooperative running it"),
                     name: str = typer.Option(..., "--name", help="what it is called"),
                     outlet: list[str] = typer.Option(..., "--outlet", help="an outlet id (repeat for several)"),
                     starts: str = typer.Option(..., "--starts", help="when it starts (Helsinki time unless an offset "
                                                                      "is given); at least two minutes from now"),
                     ends: str = typer.Option(..., "--ends", help="when it ends (exclusive)"),
                     user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE,
                     output: Output = OUTPUT) -> None:
    """Create a Double Bonus campaign: twice the month's Bonus % on Bonus purchases at its outlets in its
    period. It never reaches back: purchases are priced when they are booked."""
    body = {"campaign_id": campaign_id, "cooperative_id": cooperative, "name": name, "outlet_ids": outlet,
            "starts_at": _time(starts, "--starts").isoformat(), "ends_at": _time(ends, "--ends").isoformat()}

    async def work(session: StaffSession) -> dict:
        answer = await session.call("POST", "/campaigns", "campaign", json=body)
        return {**answer, "published": await session.published(CAMPAIGNS_TOPIC, campaign_id)}
    _say_change(as_staff("creating the campaign", user, role, purpose, work, background=True), "created", output)


@campaigns_app.command("end")
def campaigns_end(campaign_id: str = typer.Argument(..., help="the campaign id"),
                  at: str | None = typer.Option(None, "--at", help="when it ends (default: now); a campaign not "
                                                                   "started yet is called off"),
                  user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE,
                  output: Output = OUTPUT) -> None:
    """End a Double Bonus campaign early. An end already past when the bonus service applies it takes effect
    then: purchases booked meanwhile were priced double and stay so."""
    body = {"ends_at": _time(at, "--at").isoformat()} if at else None

    async def work(session: StaffSession) -> dict:
        answer = await session.call("POST", f"/campaigns/{campaign_id}/end", "campaign", json=body)
        return {**answer, "published": await session.published(CAMPAIGNS_TOPIC, campaign_id)}
    _say_change(as_staff("ending the campaign", user, role, purpose, work, background=True), "ended", output)


@campaigns_app.command("list")
def campaigns_list(cooperative: str | None = typer.Option(None, "--cooperative", help="one cooperative's only"),
                   current: bool = typer.Option(False, "--current", help="only those planned or running"),
                   user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE,
                   output: Output = OUTPUT) -> None:
    """The Double Bonus campaigns, newest start first: one line each, with status, period and outlets."""
    from services.bonus.domain.months import HELSINKI

    params: dict[str, str] = {"current": str(current).lower()}
    if cooperative:
        params["cooperative_id"] = cooperative

    async def work(session: StaffSession) -> dict:
        return await session.call("GET", "/campaigns", "campaign", params=params)
    campaigns = as_staff("listing the campaigns", user, role, purpose, work)["campaigns"]
    if output is Output.json:
        print_json(campaigns)
        return
    if not campaigns:
        say("no campaigns")
    for c in campaigns:  # a line each, never cut to the terminal's width (ids and outlets are what one copies)
        starts_at, ends_at = (datetime.fromisoformat(c[k]).astimezone(HELSINKI) for k in ("starts_at", "ends_at"))
        console.print(f"{c['campaign_id']}  {c['cooperative_id']}  {c['status']}  {starts_at:%Y-%m-%d %H:%M} – "
                      f"{ends_at:%Y-%m-%d %H:%M} Helsinki  outlets: {', '.join(c['outlet_ids'])}  {c['name']}",
                      markup=False, highlight=False, soft_wrap=True)
