"""Double Bonus campaigns: a cooperative's outlets pay twice the month's Bonus % over a period.

Purchases are priced when they are booked, once. So a campaign must never reach back: it may not start
before the service applies its creation (purchases booked before would stay single), and an end that has
already passed when it is applied takes effect then (purchases booked meanwhile were priced double). Nor may
its period touch a month that is closing or closed, whose figures are final.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.bonus.domain.months import month_of, next_month
from shared.rules import RuleViolation


class CampaignRuleViolation(RuleViolation):
    code = "campaign_rule"


class CampaignEndsBeforeItStarts(CampaignRuleViolation):
    code = "campaign_ends_before_it_starts"


class CampaignStartsInThePast(CampaignRuleViolation):
    code = "campaign_starts_in_the_past"


class CampaignMonthClosed(CampaignRuleViolation):
    code = "campaign_month_closed"


class CampaignExists(CampaignRuleViolation):
    code = "campaign_exists"


class UnknownCampaign(CampaignRuleViolation):
    code = "unknown_campaign"


class CampaignAlreadyEnded(CampaignRuleViolation):
    code = "campaign_already_ended"


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    cooperative_id: str
    name: str
    outlet_ids: tuple[str, ...]
    starts_at: datetime
    ends_at: datetime

    def same_as(self, other: Campaign) -> bool:
        """The same campaign sent again (a re-sent create changes nothing)."""
        return (self.cooperative_id, self.name, sorted(self.outlet_ids), self.starts_at, self.ends_at) == (
            other.cooperative_id, other.name, sorted(other.outlet_ids), other.starts_at, other.ends_at)


def months_of(starts_at: datetime, ends_at: datetime) -> list[date]:
    """The Helsinki months the period [starts_at, ends_at) touches."""
    last = month_of(max(starts_at, ends_at))
    months, month = [], month_of(starts_at)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def check_period(starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    """What a new campaign's period alone decides (also asked by the register API before it sends one)."""
    if ends_at <= starts_at:
        raise CampaignEndsBeforeItStarts("a campaign must end after it starts")
    if starts_at < now:
        raise CampaignStartsInThePast("a campaign cannot start before it is created: purchases already booked "
                                      "would not be doubled")


def check_months_open(statuses: dict[date, str]) -> None:
    """`statuses`: the status of each month the period touches (open, closing, closed)."""
    if any(status != "open" for status in statuses.values()):
        raise CampaignMonthClosed("a campaign cannot run in a month that is closing or closed")


def effective_end(campaign: Campaign, requested: datetime, now: datetime) -> datetime:
    """When the campaign ends on an end command: the requested time, or now when that has passed; a
    campaign not yet started ends at its start (called off). Never later than it was going to end."""
    if campaign.ends_at <= now:
        raise CampaignAlreadyEnded("the campaign has already ended")
    end = max(requested, now, campaign.starts_at)
    return min(end, campaign.ends_at)
