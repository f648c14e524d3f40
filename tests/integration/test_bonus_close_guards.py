"""The month close's guards and calendar on the real PostgreSQL: a month is closed only after it has ended
(plus the grace for late receipts), the previous month is closed from the calendar once and together with a
manual close, and the late-payout gauge says when the previous month is not paid out by the 10th."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest

from contracts.envelope import Envelope
from contracts.events.bonus import CloseBonusMonth
from services.bonus.adapters import close_publishing, closing
from services.bonus.application.close_month import CloseConfig, close_month, request_month_close
from services.bonus.application.close_schedule import UNPAID_PAST_DEADLINE, close_due_month, unpaid_past_deadline
from services.bonus.domain import load_tier_tables
from services.bonus.domain.months import HELSINKI, CloseCalendar
from shared.delivery import Incoming, Rejected
from tests.integration.test_bonus_month import book
from tests.support.factories import accepted

CALENDAR = CloseCalendar()  # 48 h of grace, closed on the 3rd at 02:00, paid out by the 10th at 00:00
TABLES = load_tier_tables()


def helsinki(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def command(month: str) -> Incoming:
    return Incoming.handed(CloseBonusMonth(month=month), Envelope(id=str(uuid.uuid4()), source="an integrator",
                                                                  type="coopreg.CloseBonusMonth"))


async def ask_close(pool, month: str, now: datetime) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await request_month_close(conn, [command(month)], CALENDAR, clock=lambda: now)


async def status(pool, month: date) -> str | None:
    return await pool.fetchval("SELECT status FROM months WHERE month = $1", month)


@pytest.mark.parametrize("now", [helsinki(2049, 1, 20),  # the month is not over
                                 helsinki(2049, 2, 1, 0, 0),  # over, but late receipts may still come
                                 helsinki(2049, 2, 2, 23, 59)])
async def test_a_close_command_for_a_month_not_yet_closable_is_refused_and_changes_nothing(pools, now):
    pool, label = pools["bonus"], "2049-01"
    await book(pool, accepted(f"r-{uuid.uuid4().hex[:10]}", f"h-{uuid.uuid4().hex[:10]}",
                              helsinki(2049, 1, 15, 12), 10000))
    with pytest.raises(Rejected) as refused:
        await ask_close(pool, label, now)
    assert refused.value.reason == "month_not_ended"
    assert "it can be closed from 2049-02-03 00:00 Europe/Helsinki" in refused.value.detail
    assert await status(pool, date(2049, 1, 1)) == "open"  # purchases still book into the month itself


async def test_a_close_command_once_the_grace_has_passed_closes_the_month(pools):
    pool = pools["bonus"]
    await ask_close(pool, "2049-03", helsinki(2049, 4, 3, 0, 0))
    assert await status(pool, date(2049, 3, 1)) == "closing"


async def test_the_scheduled_close_comes_on_its_day_and_time_and_not_before(pools):
    pool, month = pools["bonus"], date(2049, 5, 1)
    household = f"h-{uuid.uuid4().hex[:10]}"
    await book(pool, accepted(f"r-{uuid.uuid4().hex[:10]}", household, helsinki(2049, 5, 31, 23, 30), 60000))
    assert await close_due_month(pool, CALENDAR, helsinki(2049, 6, 3, 1, 59)) is None
    assert await status(pool, month) == "open"
    assert await close_due_month(pool, CALENDAR, helsinki(2049, 6, 3, 2, 0)) == month
    assert await status(pool, month) == "closing"
    assert await close_due_month(pool, CALENDAR, helsinki(2049, 6, 3, 2, 1)) is None  # once
    done = await close_month(pool, month, CloseConfig(TABLES))
    assert (done.households, done.paid_cents) == (1, 2100)  # 600 € → 3.5 %


async def test_a_manual_close_before_the_schedule_pays_once(pools):
    pool, month = pools["bonus"], date(2049, 7, 1)
    household = f"h-{uuid.uuid4().hex[:10]}"
    await book(pool, accepted(f"r-{uuid.uuid4().hex[:10]}", household, helsinki(2049, 7, 10, 12), 30000))
    await ask_close(pool, "2049-07", helsinki(2049, 8, 3, 0, 30))
    first = await close_month(pool, month, CloseConfig(TABLES))
    assert first.households == 1
    assert await close_due_month(pool, CALENDAR, helsinki(2049, 8, 3, 2, 0)) is None
    assert await close_month(pool, month, CloseConfig(TABLES)) is None
    assert await status(pool, month) == "closed"
    assert await pool.fetchval("SELECT count(*) FROM statements WHERE household_id = $1", household) == 1


async def late(pool, now: datetime) -> tuple[str, int]:
    [gauge] = await unpaid_past_deadline(pool, CALENDAR, now)
    assert gauge.name == UNPAID_PAST_DEADLINE
    return gauge.labels["month"], gauge.value


async def test_the_gauge_shows_a_previous_month_not_paid_out_by_the_10th(pools):
    pool, month = pools["bonus"], date(2049, 9, 1)
    household = f"h-{uuid.uuid4().hex[:10]}"
    await book(pool, accepted(f"r-{uuid.uuid4().hex[:10]}", household, helsinki(2049, 9, 12, 12), 20000))
    assert await late(pool, helsinki(2049, 10, 9, 23, 59)) == ("2049-09", 0)  # not due yet
    assert await late(pool, helsinki(2049, 10, 10, 0, 0)) == ("2049-09", 1)  # open on the 10th
    await ask_close(pool, "2049-09", helsinki(2049, 10, 10, 0, 5))
    await close_month(pool, month, CloseConfig(TABLES))
    assert await late(pool, helsinki(2049, 10, 10, 1)) == ("2049-09", 1)  # closed, payouts not yet sent
    async with pool.acquire() as conn:  # as the publisher moves its mark once S-Bank's topic has them
        await close_publishing.mark_published(conn, month, "payouts", household)
        assert await closing.payouts_published(conn, month)
    assert await late(pool, helsinki(2049, 10, 10, 2)) == ("2049-09", 0)
    assert await late(pool, helsinki(2049, 11, 10, 2)) == ("2049-10", 1)  # the next month, never closed


def test_the_scheduled_close_never_comes_before_the_grace():
    calendar = CloseCalendar(grace=timedelta(hours=72), close_day=2)
    assert calendar.scheduled_close(date(2049, 1, 1)) == helsinki(2049, 2, 4)
