"""The options every staff command shares: who acts (recorded in the audit log), in which role, for what."""
from __future__ import annotations

import typer

from coopreg.cli.common import run_async, sentences
from coopreg.staff_session import STAFF_ROLES, check_role, default_user, staff_session
from shared.settings import Settings

USER = typer.Option(None, "--user", help="the staff member the audit log records (default: your login name)")
ROLE = typer.Option("customer_service", "--role", help=f"the role acted in: one of {', '.join(STAFF_ROLES)}")
PURPOSE = typer.Option(None, "--purpose", help="why the data are processed (default: the role's main purpose)")


def role_option(default: str):
    """--role with a default other than customer service (finance for the money, operations for dead letters)."""
    return typer.Option(default, "--role", help=f"the role acted in: one of {', '.join(STAFF_ROLES)}")


def as_staff(doing: str, user: str | None, role: str, purpose: str | None, work, background: bool = False):
    """Run `work(session)` against the register API as the staff member; errors become sentences.
    `background`: with the API's outbox relay, for a change the command waits to see published."""
    with sentences(doing):
        check_role(role)

        async def run():
            async with staff_session(Settings(), user or default_user(), role, purpose, background) as session:
                return await work(session)
        return run_async(run())
