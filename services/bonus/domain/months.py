"""Calendar months in Finnish time: a purchase belongs to the month of its local purchase time."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

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
        return date(int(year), int(month), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a month; write it as YYYY-MM, e.g. 2026-10") from None


def month_label(month: date) -> str:
    return f"{month.year:04d}-{month.month:02d}"
