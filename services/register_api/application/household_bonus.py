"""Use cases: a household's Bonus month explained, and its month to date, for the staff who answer for the
money (finance, customer service) — asked of the bonus service, with the household's persons of that month
asked of membership so that the audit log names whose data was read."""
from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo

from contracts.subjects import HouseholdMonth
from services.register_api.application.context import RegisterApi
from services.register_api.application.errors import NotFound
from services.register_api.domain.access import Forbidden, Principal, check_scope

HELSINKI = ZoneInfo("Europe/Helsinki")
SCOPE = "bonus:read"
BonusView = Literal["household_bonus_explained", "household_bonus_month_to_date"]


def this_month(api: RegisterApi) -> str:
    return f"{api.clock().astimezone(HELSINKI):%Y-%m}"


async def _members(api: RegisterApi, principal: Principal, query: HouseholdMonth) -> list[str]:
    check_scope(principal, SCOPE)
    found = await api.services.ask("membership", "household_members", query)
    if not found.known:
        raise NotFound("no such household")
    if principal.is_data_subject and principal.person_id not in found.person_ids:
        raise Forbidden("self-service reaches only the customer's own household")
    return found.person_ids


async def _household_bonus(api: RegisterApi, principal: Principal, query: HouseholdMonth, name: BonusView) -> dict:
    members = await _members(api, principal, query)
    answer = await api.services.ask("bonus", name, query)
    # `members` carries the persons into the document, where the audit of the read finds them
    return {"bonus": {"household_id": query.household_id, "month": query.month,
                      "members": [{"person_id": p} for p in members], "found": answer.bonus is not None,
                      name.removeprefix("household_bonus_"): answer.bonus}}


async def explained(api: RegisterApi, principal: Principal, household_id: str, month: str) -> dict:
    return await _household_bonus(api, principal, HouseholdMonth(household_id=household_id, month=month),
                                  "household_bonus_explained")


async def month_to_date(api: RegisterApi, principal: Principal, household_id: str, month: str | None) -> dict:
    return await _household_bonus(api, principal, HouseholdMonth(household_id=household_id,
                                                                 month=month or this_month(api)),
                                  "household_bonus_month_to_date")
