"""Calendar months in Finnish time: a purchase belongs to the month of its local purchase time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.rules import RuleViolation

HELSINKI = ZoneInfo("Europe/Helsinki")
PAYOUT_DAY = 10


def month_of(moment: datetime) -> date:
    """The first day of the Helsinki calendar month `moment` falls in; `moment` must be aware."""
    if moment.tzinfo is None:
        raise ValueError("a purchase time must carry its UTC offset")
    local = moment.astimezone(HELSINKI)
    return date(local.year, local.month, 1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def payout_due(month: date) -> date:
    """Bonus of a month is paid by the 10th day of the following month."""
    return next_month(month).replace(day=PAYOUT_DAY)


def parse_month(text: str) -> date:
    """'2026-11' → 2026-11-01; anything else is a ValueError that says how to write a month."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError(text)
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-10") from None


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def month_end(month: date) -> datetime:
    """The moment the month ends: 00:00 Helsinki time on the first day of the next month."""
    following = next_month(month)
    return datetime(following.year, following.month, 1, tzinfo=HELSINKI)


class MonthNotEnded(RuleViolation):
    """A close asked for a month before it may be closed; the message says from when it may."""

    code = "month_not_ended"


@dataclass(frozen=True)
class CloseCalendar:
    """When a month may be closed, when it is closed by itself, and when its payouts are late.

    A month may be closed `grace` after it ended, so that receipts of an outlet offline over the turn of
    the month still count in their own month rather than as adjustments of a closed one. The bonus service
    closes the previous month by itself on `close_day` at `close_at` (never before the grace has passed),
    and its payouts are late from `deadline_day` at `deadline_at` of the next month (all Helsinki time)."""

    grace: timedelta = timedelta(hours=48)
    close_day: int = 3
    close_at: time = time(2, 0)
    deadline_day: int = PAYOUT_DAY
    deadline_at: time = time(0, 0)

    def closable_from(self, month: date) -> datetime:
        return month_end(month) + self.grace

    def check_closable(self, month: date, now: datetime) -> None:
        """Raise MonthNotEnded unless `month` may be closed at `now` (aware)."""
        closable = self.closable_from(month)
        if now < closable:
            state = ("has not ended" if now < month_end(month) else
                     f"has ended, but its {_hours(self.grace)} for late receipts have not passed")
            raise MonthNotEnded(
                f"{month_label(month)} {state}: it can be closed from "
                f"{closable.astimezone(HELSINKI):%Y-%m-%d %H:%M} Europe/Helsinki (the month's end plus "
                f"{_hours(self.grace)} for late receipts)")

    def latest_closable(self, now: datetime) -> date:
        """The latest month that may be closed at `now`."""
        month = month_of(now)
        while now < self.closable_from(month):
            month = previous_month(month)
        return month

    def scheduled_close(self, month: date) -> datetime:
        """When the bonus service closes `month` by itself."""
        following = next_month(month)
        scheduled = datetime.combine(following.replace(day=self.close_day), self.close_at, HELSINKI)
        return max(scheduled, self.closable_from(month))

    def payout_deadline(self, month: date) -> datetime:
        """From when `month`'s payouts not all handed to S-Bank are late."""
        following = next_month(month)
        return datetime.combine(following.replace(day=self.deadline_day), self.deadline_at, HELSINKI)

    @staticmethod
    def month_before(now: datetime) -> date:
        """The month before the Helsinki month `now` falls in: the one closed and paid out in this one."""
        return previous_month(month_of(now))


def _hours(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    return f"{hours:g} hours" if hours != 1 else "1 hour"
