"""Use case: the month close from the calendar, and the alert when a month's payouts are late.

The bonus service closes the previous month by itself at CloseCalendar.scheduled_close (by default the
3rd at 02:00 Helsinki time, after the 48 hours' grace for late receipts): it marks the month closing as a
`CloseBonusMonth` command would, and the closer job (close_month.py) does the rest. A month already closing
or closed — by hand, by another instance — is left as it is, so the scheduled and a manual close pay once.
Only the previous month is closed from the calendar: an older month still open (the service was down for
a whole month) is closed by hand, and meanwhile its lateness showed on the gauge.

`coopreg_bonus_month_unpaid_past_deadline{month}` is 1 from the payout deadline (the 10th at 00:00) while
the previous month's payouts are not all published to S-Bank, 0 otherwise: the alert to page on.
"""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Callable

import asyncpg

from services.bonus.adapters import closing
from services.bonus.application.close_month import utc_now
from services.bonus.domain.months import CloseCalendar, month_label
from shared.jobs import periodically
from shared.logging import get_logger
from shared.observability import Gauge
from shared.settings import BonusSettings

log = get_logger(use_case="close_schedule")
UNPAID_PAST_DEADLINE = "coopreg_bonus_month_unpaid_past_deadline"


def close_calendar(settings: BonusSettings) -> CloseCalendar:
    return CloseCalendar(grace=timedelta(hours=settings.close_grace_hours), close_day=settings.scheduled_close_day,
                         close_at=settings.scheduled_close_time, deadline_day=settings.payout_deadline_day,
                         deadline_at=settings.payout_deadline_time)


async def close_due_month(pool: asyncpg.Pool, calendar: CloseCalendar, now: datetime) -> date | None:
    """Mark the previous month closing if its scheduled close has come and it is still open; the month
    marked, or None."""
    month = calendar.month_before(now)
    if now < calendar.scheduled_close(month):
        return None
    async with pool.acquire() as conn:
        if await closing.month_status(conn, month) not in (None, "open"):
            return None  # closed or closing already: by hand, by another instance, by an earlier round
        async with conn.transaction():
            if await closing.request_close(conn, month) != "closing":
                return None
    log.info("scheduled month close requested", month=month_label(month))
    return month


async def run_scheduled_close(pool: asyncpg.Pool, calendar: CloseCalendar, stop: asyncio.Event,
                              poll_seconds: float = 60.0, clock: Callable[[], datetime] = utc_now) -> None:
    """Background job: close the previous month when the calendar says so."""
    await periodically(stop, poll_seconds, lambda: close_due_month(pool, calendar, clock()))


async def unpaid_past_deadline(pool: asyncpg.Pool, calendar: CloseCalendar, now: datetime) -> list[Gauge]:
    """The gauge for the previous month: 1 once past its payout deadline with payouts not all published."""
    month = calendar.month_before(now)
    late = False
    if now >= calendar.payout_deadline(month):
        async with pool.acquire() as conn:
            late = not await closing.payouts_published(conn, month)
    return [Gauge(UNPAID_PAST_DEADLINE, int(late), "1 while the previous month's payouts are not all published "
                  "to S-Bank past their deadline (the 10th)", {"month": month_label(month)})]
