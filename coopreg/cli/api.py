"""`coopreg api serve | token | retention`: the register API, tokens for its users, the retention job."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import typer

from coopreg.cli.common import OUTPUT, Output, require_stack, run_async, say, sentences, show
from services.register_api.domain.access import ROLE_SCOPES
from shared.settings import Settings

ROLES = f"one or more of {', '.join(ROLE_SCOPES)}"
app = typer.Typer(help="The register API (HTTP, OpenAPI at /docs).", no_args_is_help=True)


@app.command()
def serve() -> None:
    """Run the register API in the foreground (COOPREG_API_HOST, COOPREG_API_PORT)."""
    from services.register_api.entrypoints.service import main

    require_stack(Settings())
    main()


@app.command()
def token(user: str = typer.Option(..., help="the named user"),
          role: list[str] = typer.Option(..., help=ROLES),
          person: str | None = typer.Option(None, help="the customer's person id (role data_subject)"),
          hours: float = typer.Option(8.0, help="validity")) -> None:
    """Sign a bearer token with COOPREG_API_TOKEN_KEY (for operators' tools; users get theirs from the IdP)."""
    from services.register_api.entrypoints.auth import issue_token

    unknown = sorted(set(role) - set(ROLE_SCOPES))
    if unknown:
        raise typer.BadParameter(f"unknown roles: {', '.join(unknown)}")
    typer.echo(issue_token(Settings().api, user, role, person, timedelta(hours=hours)))


RETENTION_WAIT_SECONDS = 120


async def _retention(settings: Settings, user: str) -> dict:
    """A run requested through the API (audited under `user`), waited for until every service has reported."""
    from coopreg.staff_session import staff_session

    async with staff_session(settings, user, "data_protection_officer", "retention", background=True) as session:
        run_id = (await session.call("POST", "/retention/runs", "retention run"))["retention"]["run_id"]
        deadline = asyncio.get_running_loop().time() + RETENTION_WAIT_SECONDS
        while asyncio.get_running_loop().time() < deadline:
            runs = (await session.call("GET", "/retention/runs", "retention run"))["items"]
            run = next((r["retention"] for r in runs if r["retention"]["run_id"] == run_id), None)
            if run and run["finished_at"]:
                return run["report"]
            await asyncio.sleep(0.5)
    raise TimeoutError(f"retention run {run_id} requested, but not every service reported within "
                       f"{RETENTION_WAIT_SECONDS} s: are the services running (`coopreg services status`)?")


@app.command()
def retention(user: str | None = typer.Option(None, help="your login name, for the audit log"),
              output: Output = OUTPUT) -> None:
    """Run the retention job once now: every service erases what passed its period and reports."""
    from coopreg.staff_session import default_user

    with sentences("the retention run"):
        report = run_async(_retention(Settings(), user or default_user()))
    show(report, output, title="the retention run")
    say(f"{report['persons_erasure_requested']} persons' erasure requested; kept: {', '.join(report['kept'])}")


async def _demo_customer(settings: Settings, days: int) -> str:
    """A customer with `days` of purchases, made through the services' own use cases (as `bench dsar` does)."""
    from datetime import datetime, timezone

    from coopreg.simulate.person_history import seed_person_history
    from services.registry import SERVICES
    from shared.runtime import open_pool

    pools = {name: await open_pool(settings, SERVICES[name]) for name in ("membership", "cards", "purchases", "bonus")}
    try:
        return (await seed_person_history(pools, settings, datetime.now(timezone.utc), days=days)).person_id
    finally:
        for pool in pools.values():
            await pool.close()


@app.command("my-data")
def my_data(person: str | None = typer.Option(None, help="the customer's person id; default: a new demo customer"),
            days: int = typer.Option(20, help="days of purchases of the new demo customer"),
            hours: float = typer.Option(1.0, help="validity of the login")) -> None:
    """Print a login link to the customer's My data page (start the API with `coopreg api serve`)."""
    from services.register_api.domain.access import DATA_SUBJECT
    from services.register_api.entrypoints.auth import issue_token

    settings = Settings()
    if person is None:
        with sentences("making a demo customer"):
            person = run_async(_demo_customer(settings, days))
        say(f"made a demo customer {person} with {days} days of purchases")
    token = issue_token(settings.api, f"customer:{person}", [DATA_SUBJECT], person, timedelta(hours=hours))
    # The token rides after '#': browsers never send that part to a server, so it reaches no access log.
    typer.echo(f"http://{settings.api.host}:{settings.api.port}/my-data#token={token}")
