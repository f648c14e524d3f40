"""A close's feed turns a batch read from the statements (one row per statement time, the values joined by
the record separator) into one event per household, with the headers of its envelope."""
from datetime import date, datetime, timezone

import pytest

from contracts.envelope import Envelope
from services.bonus.adapters.close_publishing import Batch
from services.bonus.application.publish_close import PAYOUTS, STATEMENTS, ClosedMonth

MONTH = ClosedMonth.of(date(2026, 10, 1), topic_prefix="t.")
EARLY, LATE = datetime(2026, 11, 1, 0, 0, 5, tzinfo=timezone.utc), datetime(2026, 11, 1, 0, 0, 9, tzinfo=timezone.utc)


def test_each_household_gets_its_value_and_the_envelope_of_its_statement_time():
    batch = Batch("h3", 3, [(EARLY, ["h1", "h2"], None, b'{"a":1}\x1e{"a":2}'), (LATE, ["h3"], None, b'{"a":3}')])
    events = PAYOUTS.events(batch, MONTH)
    assert [(topic, key, value) for topic, key, value, _ in events] == [
        ("t.bonus.payouts.v1", b"h1", b'{"a":1}'), ("t.bonus.payouts.v1", b"h2", b'{"a":2}'),
        ("t.bonus.payouts.v1", b"h3", b'{"a":3}')]
    expected = Envelope(id="payout:h3:2026-10", source="coopreg/bonus", type="coopreg.BonusPayout", time=LATE,
                        subject="h3")
    assert events[2][3] == expected.headers()


def test_a_statement_carries_its_cooperative():
    batch = Batch("h2", 2, [(EARLY, ["h1", "h2"], ["c1", "c2"], b'{}\x1e{}')])
    headers = [dict(h) for *_, h in STATEMENTS.events(batch, MONTH)]
    assert [h["ce_cooperative"] for h in headers] == [b"c1", b"c2"]
    assert [h["ce_id"] for h in headers] == [b"statement:h1:2026-10", b"statement:h2:2026-10"]


def test_a_value_holding_the_record_separator_fails_the_batch_rather_than_shift_values_between_households():
    batch = Batch("h2", 2, [(EARLY, ["h1", "h2"], None, b'{"a":"\x1e"}\x1e{"a":2}')])
    with pytest.raises(ValueError, match="record separator"):
        PAYOUTS.events(batch, MONTH)
