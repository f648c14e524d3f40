"""Use case: the household's latest Bonus % from `bonus.month-to-date.v1` (a segment criterion and
attribute). Every purchase changes the month to date, rarely the %: only a change of the % settles the
household's members."""
from __future__ import annotations

from services.consent.adapters import people
from services.consent.application.config import ConsentConfig
from services.consent.application.settle import settle
from shared.delivery import Incoming


async def apply_months_to_date(conn, messages: list[Incoming], config: ConsentConfig) -> None:
    latest: dict[str, Incoming] = {}
    for message in messages:  # one household's events are in order: the last one is the latest
        latest[message.data.household_id] = message
    for household_id, message in latest.items():
        month = message.data
        if await people.save_tier(conn, household_id, month.month, month.rate_bp):
            locked = await people.lock(conn, [], households=[household_id])
            await settle(conn, locked, message.envelope, config)
