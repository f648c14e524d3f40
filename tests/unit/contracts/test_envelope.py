"""Reading the envelope from a consumed record's headers: what producers send, and what they leave out."""
from datetime import datetime, timedelta, timezone

import pytest

from contracts.envelope import Envelope, InvalidEnvelope

pytestmark = pytest.mark.unit

TOPIC = "pos.purchases.v1"


def test_every_attribute_survives_headers_and_back():
    sent = Envelope(source="pos:prisma-12", type="coopreg.PosPurchase", id="r-1",
                    time=datetime(2026, 10, 7, 9, 51, 32, 250000, tzinfo=timezone(timedelta(hours=3))),
                    subject="r-1", cooperative="hok-elanto", correlationid="c-9")

    assert Envelope.from_headers(sent.headers(), TOPIC, b"{}") == sent


def test_other_headers_and_null_values_are_not_read():
    headers = [("ce_id", b"r-1"), ("traceparent", b"00-abc-def-01"), ("ce_subject", None),
               ("ce_unknown", b"x"), ("content-type", b"application/json")]

    envelope = Envelope.from_headers(headers, TOPIC, b"{}")

    assert (envelope.id, envelope.subject, envelope.source, envelope.type) == ("r-1", None, f"kafka:{TOPIC}", TOPIC)


def test_without_headers_the_id_comes_from_the_value_so_a_resend_keeps_it():
    first, resent = (Envelope.from_headers(None, TOPIC, b'{"receipt_id": "r-1"}') for _ in range(2))
    other = Envelope.from_headers([], TOPIC, b'{"receipt_id": "r-2"}')

    assert first.id == resent.id != other.id


def test_utc_written_as_z_is_read():
    envelope = Envelope.from_headers([("ce_time", b"2026-10-07T06:51:32Z")], TOPIC, b"{}")

    assert envelope.time == datetime(2026, 10, 7, 6, 51, 32, tzinfo=timezone.utc)


@pytest.mark.parametrize("headers, problem", [
    ([("ce_time", b"2026-10-07T06:51:32")], "UTC offset"),
    ([("ce_time", b"yesterday")], "Invalid isoformat"),
    ([("ce_id", b"")], "must not be empty"),
])
def test_a_bad_envelope_is_refused_with_the_reason(headers, problem):
    with pytest.raises(InvalidEnvelope, match=problem):
        Envelope.from_headers(headers, TOPIC, b"{}")


def test_undecodable_bytes_are_replaced_not_fatal():
    envelope = Envelope.from_headers([("ce_id", b"r-\xff")], TOPIC, b"{}")

    assert envelope.id == "r-\ufffd"
