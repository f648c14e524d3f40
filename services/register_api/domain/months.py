"""Calendar-month arithmetic on aware times: retention periods and deadlines are counted in months."""
from __future__ import annotations

import calendar
from datetime import datetime


def add_months(at: datetime, months: int) -> datetime:
    """The same wall-clock time `months` calendar months later (earlier when negative); the month's last
    day when the day does not exist in it (31 March + 1 month = 30 April)."""
    if at.tzinfo is None:
        raise ValueError("an aware time is required")
    year, month = divmod(at.year * 12 + at.month - 1 + months, 12)
    return at.replace(year=year, month=month + 1, day=min(at.day, calendar.monthrange(year, month + 1)[1]))
