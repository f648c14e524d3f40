"""`coopreg lookup person | household | consents`: what customer service looks up, through the register API
(the field policy trims what the role may not see, and every read is in the audit log)."""
from __future__ import annotations

import typer

from coopreg.cli.common import OUTPUT, Output, sentences, show
from coopreg.cli.staff_options import PURPOSE, ROLE, USER, as_staff
from coopreg.staff_session import RegisterRefused, StaffSession

app = typer.Typer(help="Staff lookups through the register API: a person, a household, consents.",
                  no_args_is_help=True)


async def find(session: StaffSession, customer_number: int | None = None, card: str | None = None) -> dict:
    """The person section of whoever has this customer number or card (or member) number."""
    query = {"customer_number": customer_number} if customer_number is not None else {"card_number": card}
    found = await session.call("POST", "/persons/search", "person", json=query)
    if not found["items"]:
        raise RegisterRefused("the register knows no person with that "
                              f"{'customer number' if customer_number is not None else 'card number'}; check it")
    return found["items"][0]


async def person_id_of(session: StaffSession, person: str) -> str:
    """A person id as given, or the person of a customer number (all digits)."""
    if person.isdigit():
        return (await find(session, customer_number=int(person)))["person"]["person_id"]
    return person


def _card_or_number(customer_number: int | None, card: str | None) -> None:
    if (customer_number is None) == (card is None):
        raise ValueError("give either a customer number or --card NUMBER (one of them)")
    if card is not None and not (card.isdigit() and 6 <= len(card) <= 19):
        raise ValueError("a card or member number is 6 to 19 digits; check it")


@app.command()
def person(customer_number: int | None = typer.Argument(None, help="the customer number"),
           card: str | None = typer.Option(None, "--card", help="a card or member number instead of a customer number"),
           sections: str | None = typer.Option(None, help="comma-separated sections to show besides the person, "
                                                   "e.g. contact,household,cards"),
           user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE, output: Output = OUTPUT) -> None:
    """Find a person by customer number or card and show what your role may see of them."""
    async def work(session: StaffSession) -> dict:
        found = await find(session, customer_number, card)
        if not sections:
            return found
        wanted = ["person", *(s.strip() for s in sections.split(",") if s.strip())]
        return await session.call("GET", f"/persons/{found['person']['person_id']}", "person",
                                  params={"sections": wanted})

    with sentences("looking up the person"):
        _card_or_number(customer_number, card)
    show(as_staff("looking up the person", user, role, purpose, work), output)


@app.command()
def household(household_id: str = typer.Argument(..., help="the household id, e.g. h-…"),
              user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE,
              output: Output = OUTPUT) -> None:
    """Show a household: its members, roles and history, read through one of its members."""
    async def work(session: StaffSession) -> dict:
        answer = await session.call("POST", "/persons/search", "household", json={"household_id": household_id})
        found = answer["items"]
        if not found:
            raise RegisterRefused(f"the register knows no household {household_id}; check the id")
        return await session.call("GET", f"/persons/{found[0]['person']['person_id']}/household", "household")
    show(as_staff("looking up the household", user, role, purpose, work), output)


@app.command()
def consents(person: str = typer.Argument(..., help="the person id (p-…) or customer number"),
             user: str | None = USER, role: str = ROLE, purpose: str | None = PURPOSE, output: Output = OUTPUT) -> None:
    """Show a person's marketing prohibition, blocks and permissions in force."""
    async def work(session: StaffSession) -> dict:
        return await session.call("GET", f"/persons/{await person_id_of(session, person)}/consents", "person")
    show(as_staff("looking up the consents", user, role, purpose, work), output)
