"""Whom an opened dead letter is about, for the audit entry recorded before it is shown."""
from __future__ import annotations

from coopreg.dlq import persons_named


def test_every_person_id_in_a_json_value_is_found_at_any_depth():
    value = b'{"person_id": "p-1", "members": [{"person_id": "p-2"}, {"role": "x"}], "n": {"person_id": ""}}'
    assert persons_named(value) == {"p-1", "p-2"}


def test_bytes_that_are_not_json_name_nobody():
    assert persons_named(b'{"receipt_id": "r-1", "card": "9246') == set() and persons_named(None) == set()
