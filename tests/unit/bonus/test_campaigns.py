"""Double Bonus campaigns never reach back: purchases are priced once, when booked."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from services.bonus.domain.campaigns import (
    Campaign,
    CampaignAlreadyEnded,
    CampaignEndsBeforeItStarts,
    CampaignMonthClosed,
    CampaignStartsInThePast,
    check_months_open,
    check_period,
    effective_end,
    months_of,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
HOUR = timedelta(hours=1)


def campaign(starts_at: datetime, ends_at: datetime) -> Campaign:
    return Campaign("c1", "hok-elanto", "Kaleva reopening", ("outlet-1",), starts_at, ends_at)


def test_a_period_must_end_after_it_starts_and_not_start_before_now():
    check_period(NOW, NOW + HOUR, NOW)
    with pytest.raises(CampaignEndsBeforeItStarts):
        check_period(NOW + HOUR, NOW + HOUR, NOW)
    with pytest.raises(CampaignStartsInThePast) as refused:
        check_period(NOW - timedelta(seconds=1), NOW + HOUR, NOW)
    assert refused.value.code == "campaign_starts_in_the_past"


def test_the_months_are_helsinki_months_of_the_period():
    # 31 Dec 22:30 UTC is already January in Helsinki
    assert months_of(datetime(2026, 11, 30, 21, 59, tzinfo=timezone.utc),
                     datetime(2026, 12, 31, 22, 30, tzinfo=timezone.utc)) == [
        date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]


def test_a_closing_or_closed_month_refuses_the_campaign():
    check_months_open({date(2026, 11, 1): "open"})
    for status in ("closing", "closed"):
        with pytest.raises(CampaignMonthClosed):
            check_months_open({date(2026, 11, 1): "open", date(2026, 12, 1): status})


def test_an_end_takes_effect_now_at_the_earliest_and_never_extends():
    running = campaign(NOW - HOUR, NOW + 5 * HOUR)
    assert effective_end(running, NOW - HOUR / 2, NOW) == NOW  # already past when applied: now
    assert effective_end(running, NOW + HOUR, NOW) == NOW + HOUR
    assert effective_end(running, NOW + 9 * HOUR, NOW) == NOW + 5 * HOUR
    planned = campaign(NOW + HOUR, NOW + 2 * HOUR)
    assert effective_end(planned, NOW, NOW) == NOW + HOUR  # called off: ends as it starts
    with pytest.raises(CampaignAlreadyEnded):
        effective_end(campaign(NOW - 2 * HOUR, NOW), NOW, NOW)
