"""Member numbers and the Helsinki calendar the register's dates live in.

The member (customer) number's real format was not found (domain.md §2.5): the register issues ten
digits, a nine-digit serial and a Luhn check digit, so a mistyped number at a partner is caught.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

HELSINKI = ZoneInfo("Europe/Helsinki")
SERIAL_DIGITS = 9


def luhn_check_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def member_number(serial: int) -> str:
    """The member number of the `serial`-th membership: nine digits and a Luhn check digit."""
    if not 0 < serial < 10 ** SERIAL_DIGITS:
        raise ValueError("member number serial out of range")
    digits = f"{serial:0{SERIAL_DIGITS}d}"
    return digits + luhn_check_digit(digits)


def helsinki_date(at: datetime) -> date:
    """The calendar day in Finland of an aware time."""
    return at.astimezone(HELSINKI).date()


def month_start(at: datetime) -> datetime:
    """The first instant of the Helsinki month of `at` (a transfer counts from here)."""
    local = at.astimezone(HELSINKI)
    return datetime(local.year, local.month, 1, tzinfo=HELSINKI)


def day_start(day: date) -> datetime:
    """The first instant of a Finnish calendar day."""
    return datetime(day.year, day.month, day.day, tzinfo=HELSINKI)
