"""What of a person's consent outlives their erasure: the blocks that object to marketing, never a permission."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.consent.domain.consent import Statement, block_item, in_force, permission_item
from services.consent.domain.suppression import Suppression, suppression_of

T0 = datetime(2030, 4, 1, 9, 0, tzinfo=timezone.utc)


def test_the_marketing_blocks_in_force_are_kept_with_the_time_of_the_latest():
    kept = suppression_of({block_item("surveys"): (True, T0), block_item("all_marketing"): (True, T0 + timedelta(1)),
                           block_item("telemarketing"): (False, T0 + timedelta(2)),
                           permission_item("email"): (True, T0 + timedelta(3))})
    assert kept == Suppression(("all_marketing", "surveys"), T0 + timedelta(1))


def test_nothing_is_kept_without_a_marketing_block():
    assert suppression_of({permission_item("email"): (True, T0), block_item("surveys"): (False, T0)}) is None
    assert suppression_of({block_item("warranty_receipts"): (True, T0)}) is None


def test_a_kept_suppression_yields_to_a_later_statement_of_the_customer():
    restored = Suppression(("surveys",), T0).statements()
    later = Statement(block_item("surveys"), False, T0 + timedelta(days=400))
    assert in_force([*restored, later]) == {block_item("surveys"): False}
    assert in_force(restored) == {block_item("surveys"): True}
