"""What the bonus service answers on its subject endpoint (contracts/subjects.py): a person's bookings, the
statements of the households they belonged to, and their current household's month so far; and, for staff
through the register API, a household's month explained and its month to date; for finance staff, the Double
Bonus campaigns and the check of a campaign command before it is sent."""
from __future__ import annotations

from datetime import datetime, timezone

from contracts.events.bonus_campaigns import CampaignCommand, CreateDoubleBonusCampaign
from contracts.subjects import (
    Campaigns,
    CampaignsRequest,
    CampaignView,
    CheckResult,
    CommandCheck,
    HouseholdBonus,
    HouseholdMonth,
    Part,
    PartRequest,
)
from services.bonus.application.campaigns import CampaignConfig, campaign_list
from services.bonus.application.read_person import (
    bonus_part,
    household_explained,
    household_month_to_date,
    month_to_date_part,
)
from services.bonus.domain.campaigns import check_period
from shared.rules import RuleViolation
from shared.settings import Settings


def answers(settings: Settings) -> dict:
    campaign_config = CampaignConfig()

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

    async def check(conn, query: CommandCheck) -> CheckResult:
        """What a campaign command alone decides, before the register API sends it."""
        command = CampaignCommand.model_validate(query.command).root
        try:
            if isinstance(command, CreateDoubleBonusCampaign):
                check_period(command.starts_at, command.ends_at, campaign_config.clock())
        except RuleViolation as violation:
            return CheckResult(violation=violation.code, message=str(violation))
        return CheckResult()

    async def campaigns(conn, query: CampaignsRequest) -> Campaigns:
        listed = await campaign_list(conn, query, campaign_config)
        return Campaigns(campaigns=[CampaignView(**c) for c in listed])

    return {"part": part, "check": check, "campaigns": campaigns, "household_bonus_explained": explained,
            "household_bonus_month_to_date": month_to_date}
