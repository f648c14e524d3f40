"""What the bonus service answers on its subject endpoint (contracts/subjects.py): a person's bookings, the
statements of the households they belonged to, and their current household's month so far; and, for staff
through the register API, a household's month explained and its month to date."""
from __future__ import annotations

from datetime import datetime, timezone

from contracts.subjects import HouseholdBonus, HouseholdMonth, Part, PartRequest
from services.bonus.application.read_person import (
    bonus_part,
    household_explained,
    household_month_to_date,
    month_to_date_part,
)
from shared.settings import Settings


def answers(settings: Settings) -> dict:
    async def part(conn, query: PartRequest) -> Part:
        periods = [(p.household_id, p.valid_from, p.valid_to) for p in query.household_periods]
        bonus = await bonus_part(conn, query.person_id, periods)
        now = query.at or datetime.now(timezone.utc)
        return Part(sections={"bonus": {**bonus, "month_to_date": await month_to_date_part(conn, query.household_id,
                                                                                           now)}})

    async def explained(conn, query: HouseholdMonth) -> HouseholdBonus:
        return HouseholdBonus(bonus=await household_explained(conn, query.household_id, query.month))

    async def month_to_date(conn, query: HouseholdMonth) -> HouseholdBonus:
        return HouseholdBonus(bonus=await household_month_to_date(conn, query.household_id, query.month))

    return {"part": part, "household_bonus_explained": explained, "household_bonus_month_to_date": month_to_date}
