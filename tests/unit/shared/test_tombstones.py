"""Tombstones (null values) through the shared plumbing: the outbox stages them with their envelope, and a
subscription to a compacted topic may accept them (data None) while the others still dead-letter them."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from contracts.envelope import Envelope
from contracts.events.bonus import CloseBonusMonth
from shared.delivery import Delivery, Rejected
from shared.outbox import OutgoingEvent
from shared.settings import DeliverySettings

pytestmark = pytest.mark.unit


def test_an_outgoing_event_without_data_is_a_tombstone_with_its_envelope():
    envelope = Envelope(source="test", type="coopreg.SegmentMember", subject="abc")
    topic, key, value, headers = OutgoingEvent("marketing.segment.s.v1", "abc", envelope, None).row()
    assert (topic, key, value) == ("marketing.segment.s.v1", b"abc", None)
    assert '"ce_id"' in headers and envelope.id in headers


def test_an_outgoing_event_with_data_is_unchanged():
    row = OutgoingEvent("t", "k", Envelope(source="s", type="t"), CloseBonusMonth(month="2030-01")).row()
    assert row[2] == b'{"month":"2030-01"}'


def record(offset: int, headers=()) -> SimpleNamespace:
    return SimpleNamespace(value=None, key=b"p-1", topic="membership.persons.v1", partition=2, offset=offset,
                           headers=list(headers))


def delivery(tombstones: bool) -> Delivery:
    return Delivery("test", CloseBonusMonth, None, None, DeliverySettings(), tombstones=tombstones)


def test_a_tombstone_is_dead_lettered_unless_the_subscription_accepts_them():
    with pytest.raises(Rejected) as rejected:
        delivery(False).decode(record(7))
    assert rejected.value.reason == "empty_value"
    incoming = delivery(True).decode(record(7))
    assert incoming.data is None and incoming.record.key == b"p-1"


def test_tombstones_without_an_id_are_told_apart_by_their_place_in_the_log():
    accepting = delivery(True)
    assert accepting.decode(record(7)).envelope.id == accepting.decode(record(7)).envelope.id
    assert accepting.decode(record(7)).envelope.id != accepting.decode(record(8)).envelope.id
    sent = accepting.decode(record(9, [("ce_id", b"tomb-1"), ("ce_source", b"coopreg/membership")]))
    assert sent.envelope.id == "tomb-1"
