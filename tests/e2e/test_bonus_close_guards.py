"""The running bonus service refuses a close command for a month that has not ended, whoever sends it on
bonus.commands.v1, and shows on /metrics whether the previous month is paid out past its deadline."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from contracts.events.bonus import CloseBonusMonth
from contracts.topics import BONUS_COMMANDS
from coopreg.client import read_topic
from services.bonus.application.close_schedule import close_calendar
from services.bonus.domain.months import month_label, month_of
from shared.dead_letters import dlq_topic
from tests.e2e.conftest import PORTS
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")


async def refusals(settings, month: str) -> list[dict[str, str]]:
    records = await read_topic(settings, dlq_topic(BONUS_COMMANDS.name), timeout=3)
    return [{k: v.decode() for k, v in r.headers} for r in records if r.key == month.encode()]


async def test_a_close_of_this_month_sent_by_any_producer_is_refused_with_its_reason(settings, client, db):
    this_month = month_label(month_of(datetime.now(timezone.utc)))
    await client.send(BONUS_COMMANDS, this_month, CloseBonusMonth(month=this_month))
    await client.flush()
    [refused] = await eventually(lambda: refusals(settings, this_month), timeout=30)
    assert (refused["dlq_reason"], refused["dlq_consumer"]) == ("month_not_ended", "bonus-commands")
    assert f"{this_month} has not ended: it can be closed from" in refused["dlq_detail"]
    assert await db.fetchval("SELECT status FROM bonus.months WHERE month = $1",
                             month_of(datetime.now(timezone.utc))) in (None, "open")


async def metrics_body(port: int) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    await writer.drain()
    raw = (await reader.read()).decode()
    writer.close()
    return raw.partition("\r\n\r\n")[2]


async def test_the_bonus_service_shows_whether_last_month_is_paid_out_past_its_deadline(settings, db):
    now = datetime.now(timezone.utc)
    calendar = close_calendar(settings.bonus)
    previous = calendar.month_before(now)
    paid = await db.fetchval("SELECT status = 'closed' AND payouts_published_through = coalesce((SELECT"
                             " max(household_id) FROM bonus.statements WHERE month = $1), '')"
                             " FROM bonus.months WHERE month = $1", previous)
    expected = int(now >= calendar.payout_deadline(previous) and not paid)
    body = await metrics_body(PORTS["bonus"])
    assert "# TYPE coopreg_bonus_month_unpaid_past_deadline gauge" in body
    assert (f'coopreg_bonus_month_unpaid_past_deadline{{service="bonus",month="{month_label(previous)}"}} '
            f'{expected}') in body
