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


def test_a_month_may_be_closed_once_it_has_ended_in_helsinki_and_the_grace_has_passed():
    from datetime import timedelta

    from services.bonus.domain.months import HELSINKI, CloseCalendar, MonthNotEnded

    calendar = CloseCalendar(grace=timedelta(hours=48))
    december = date(2026, 12, 1)
    with pytest.raises(MonthNotEnded, match="2026-12 has not ended: it can be closed from 2027-01-03 00:00"):
        calendar.check_closable(december, datetime(2026, 12, 4, 12, tzinfo=timezone.utc))
    with pytest.raises(MonthNotEnded, match="has ended, but its 48 hours for late receipts have not passed"):
        calendar.check_closable(december, datetime(2027, 1, 2, 23, 59, tzinfo=HELSINKI))
    calendar.check_closable(december, datetime(2027, 1, 3, 0, 0, tzinfo=HELSINKI))
    # 2 January 22:00 UTC is already 3 January 00:00 in Helsinki
    calendar.check_closable(december, datetime(2027, 1, 2, 22, 0, tzinfo=timezone.utc))
    assert calendar.latest_closable(datetime(2027, 1, 2, 12, tzinfo=timezone.utc)) == date(2026, 11, 1)
    assert calendar.payout_deadline(december) == datetime(2027, 1, 10, tzinfo=HELSINKI)
    assert calendar.scheduled_close(december) == datetime(2027, 1, 3, 2, 0, tzinfo=HELSINKI)
