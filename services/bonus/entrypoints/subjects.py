"""What the bonus service answers on its subject endpoint (contracts/subjects.py): a person's bookings, the
statements of the households they belonged to, and their current household's month so far."""
from __future__ import annotations

from datetime import datetime, timezone

from shared.settings import Settings
from contracts.subjects import Part, PartRequest
from services.bonus.application.read_person import bonus_part, month_to_date_part


def answers(settings: Settings) -> dict:
    async def part(conn, query: PartRequest) -> Part:
        periods = [(p.household_id, p.valid_from, p.valid_to) for p in query.household_periods]
        bonus = await bonus_part(conn, query.person_id, periods)
        now = query.at or datetime.now(timezone.utc)
        return Part(sections={"bonus": {**bonus, "month_to_date": await month_to_date_part(conn, query.household_id,
                                                                                           now)}})

    return {"part": part}
