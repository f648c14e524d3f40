"""Reaction: keep each household's published Bonus statement (`bonus.statements.v1`), one per household and
month, for the yearly return of surplus: it is computed from the sum over the financial year of the months'
`own_cooperative_eligible_cents` (the Bonus purchases at the outlets of the household's own cooperative).

Idempotent by its natural key: a re-sent statement (same id) changes nothing; another statement of the same
household and month replaces the one kept. A statement for a household the register does not know is
dead-lettered (`unknown_household`).
"""
from __future__ import annotations

from datetime import date
from typing import cast

from contracts.events.bonus import BonusStatement
from services.membership.adapters import households, statements
from services.membership.domain.errors import UnknownHousehold
from shared.commands import apply_each
from shared.db import Connection
from shared.delivery import Incoming


def month_of(month: str) -> date:
    """The first day of a `YYYY-MM` month."""
    year, number = month.split("-")
    return date(int(year), int(number), 1)


async def keep_bonus_statements(conn: Connection, messages: list[Incoming], config) -> None:
    await apply_each(conn, messages, keep_bonus_statement)


async def keep_bonus_statement(conn: Connection, message: Incoming) -> None:
    statement = cast(BonusStatement, message.data)  # the delivery validated it against the topic's model
    if not await households.exists(conn, statement.household_id):
        raise UnknownHousehold("a Bonus statement for a household the register lacks")
    await statements.save(conn, statement.household_id, month_of(statement.month), statement.statement_id,
                          statement.cooperative_id, statement.own_cooperative_eligible_cents)
