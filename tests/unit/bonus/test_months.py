"""Months as the bonus service reads them: calendar months in Finnish time, written YYYY-MM."""
from datetime import date, datetime, timezone

import pytest

from services.bonus.domain.months import month_label, month_of, parse_month


def test_a_month_is_read_and_written_as_yyyy_mm():
    assert parse_month("2026-09") == date(2026, 9, 1)
    assert month_label(parse_month("2026-09")) == "2026-09"


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026", "26/09", "2026-09-01", ""])
def test_anything_else_says_how_to_write_a_month(text):
    with pytest.raises(ValueError, match="write it as YYYY-MM"):
        parse_month(text)


def test_a_purchase_belongs_to_its_month_in_finnish_time():
    # 31 Oct 22:30 UTC is already 1 November in Helsinki (UTC+2 in winter)
    assert month_of(datetime(2026, 10, 31, 22, 30, tzinfo=timezone.utc)) == date(2026, 11, 1)
