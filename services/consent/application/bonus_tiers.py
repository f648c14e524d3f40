"""Use case: the household's latest Bonus % from `bonus.month-to-date.v1` (a segment criterion and
attribute). Every purchase changes the month to date, rarely the %: only a change of the % settles the
household's members."""
from __future__ import annotations

from typing import cast

from contracts.events.bonus import MonthToDate
from services.consent.adapters import people
from services.consent.application.config import ConsentConfig
from services.consent.application.settle import settle
from shared.db import Connection
from shared.delivery import Incoming


async def apply_months_to_date(conn: Connection, messages: list[Incoming], config: ConsentConfig) -> None:
    latest: dict[str, tuple[MonthToDate, Incoming]] = {}
    for message in messages:  # one household's events are in order: the last one is the latest
        month = cast(MonthToDate, message.data)  # the delivery validated it against the topic's model
        latest[month.household_id] = month, message
    for household_id, (month, message) in sorted(latest.items()):  # households locked in one order
        if await people.save_tier(conn, household_id, month.month, month.rate_bp):
            locked = await people.lock(conn, [], households=[household_id])
            await settle(conn, locked, message.envelope, config)
