"""`coopreg dsar request | status`: a data subject's register extract (right of access), requested and
followed by customer service through the register API (audited, trimmed by the field policy)."""
from __future__ import annotations

import typer

from coopreg.cli.common import OUTPUT, Output, say, show
from coopreg.cli.lookup import person_id_of
from coopreg.cli.staff_options import PURPOSE, ROLE, USER, as_staff
from coopreg.staff_session import StaffSession

app = typer.Typer(help="Register extracts (data subject access requests): request one, follow it.",
                  no_args_is_help=True)


@app.command()
def request(person: str = typer.Argument(..., help="the person id (p-…) or customer number"),
            user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE, output: Output = OUTPUT) -> None:
    """Request a register extract of every section of the person's data; it is produced at once and
    tracked with its one-month deadline."""
    async def work(session: StaffSession) -> dict:
        return await session.call("POST", f"/persons/{await person_id_of(session, person)}/extract-requests",
                                  "person")
    found = as_staff("requesting the extract", user, role, purpose, work)["extract_request"]
    show(found, output)
    say(f"extract request {found['request_id']} is {found['status']}; follow it with "
        f"`coopreg dsar status {found['request_id']}`")


@app.command()
def status(request_id: str = typer.Argument(..., help="the extract request's id (x-…)"),
           user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE, output: Output = OUTPUT) -> None:
    """Show an extract request: its status, deadline and when it was completed."""
    async def work(session: StaffSession) -> dict:
        return await session.call("GET", f"/extract-requests/{request_id}", "extract request")
    show(as_staff("reading the extract request", user, role, purpose, work)["extract_request"], output)
