"""`coopreg api serve | token | retention`: the register API, tokens for its users, the retention job."""
from __future__ import annotations

from datetime import timedelta

import typer

from coopreg.cli.common import console, run_async, say, sentences
from services.register_api.domain.access import ROLE_SCOPES
from shared.settings import Settings

app = typer.Typer(help="The register API (HTTP, OpenAPI at /docs).", no_args_is_help=True)


@app.command()
def serve() -> None:
    """Run the register API in the foreground (COOPREG_API_HOST, COOPREG_API_PORT)."""
    from services.register_api.entrypoints.service import main

    main()


@app.command()
def token(user: str = typer.Option(..., help="the named user"),
          role: list[str] = typer.Option(..., help=f"one or more of {', '.join(ROLE_SCOPES)}"),
          person: str = typer.Option(None, help="the customer's person id (role data_subject)"),
          hours: float = typer.Option(8.0, help="validity")) -> None:
    """Sign a bearer token with COOPREG_API_TOKEN_KEY (for operators' tools; users get theirs from the IdP)."""
    from services.register_api.entrypoints.auth import issue_token

    unknown = sorted(set(role) - set(ROLE_SCOPES))
    if unknown:
        raise typer.BadParameter(f"unknown roles: {', '.join(unknown)}")
    typer.echo(issue_token(Settings().api, user, role, person, timedelta(hours=hours)))


async def _retention(settings: Settings) -> dict:
    from services.register_api.application.retention_run import run_retention
    from services.register_api.entrypoints.app import close_register_api, open_register_api

    api = await open_register_api(settings)
    try:
        return await run_retention(api, "operator")
    finally:
        await close_register_api(api)


@app.command()
def retention() -> None:
    """Run the retention job once now and print what it erased (it also runs on the API's schedule)."""
    with sentences("the retention run"):
        report = run_async(_retention(Settings()))
    console.print_json(data=report)
    say(f"{report['persons_erased']} persons erased; kept: {', '.join(report['kept'])}")
