"""Which base-data update wins: the population register on names and the permanent address, else the later."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.membership.domain.precedence import (
    FieldChange,
    FieldGroup,
    Source,
    Version,
    split_by_precedence,
    supersedes,
)

pytestmark = pytest.mark.unit

T = datetime(2030, 1, 1, tzinfo=timezone.utc)
EARLIER, LATER = T - timedelta(hours=1), T + timedelta(hours=1)
DVV, SBANK, CUSTOMER = Source.DVV, Source.SBANK, Source.CUSTOMER


@pytest.mark.parametrize("group, incoming, current, wins", [
    (FieldGroup.MOBILE_PHONE, Version(SBANK, LATER), Version(CUSTOMER, T), True),
    (FieldGroup.MOBILE_PHONE, Version(SBANK, EARLIER), Version(CUSTOMER, T), False),
    (FieldGroup.MOBILE_PHONE, Version(SBANK, T), Version(SBANK, T), False),  # a repeat changes nothing
    (FieldGroup.EMAIL, Version(CUSTOMER, LATER), Version(DVV, T), True),
    (FieldGroup.NAME, Version(SBANK, LATER), Version(DVV, T), False),
    (FieldGroup.NAME, Version(DVV, EARLIER), Version(SBANK, T), True),
    (FieldGroup.PERMANENT_ADDRESS, Version(CUSTOMER, LATER), Version(DVV, T), False),
    (FieldGroup.PERMANENT_ADDRESS, Version(DVV, LATER), Version(DVV, T), True),
    (FieldGroup.PERMANENT_ADDRESS, Version(DVV, EARLIER), Version(DVV, T), False),
    (FieldGroup.HOME_MUNICIPALITY, Version(DVV, EARLIER), Version(CUSTOMER, T), True),
    (FieldGroup.TEMPORARY_ADDRESS, Version(CUSTOMER, LATER), Version(DVV, T), True),
    (FieldGroup.LANGUAGE, Version(SBANK, EARLIER), None, True),
])
def test_precedence(group, incoming, current, wins):
    assert supersedes(group, incoming, current) is wins


def test_changes_split_into_applied_and_stale():
    changes = [FieldChange(FieldGroup.NAME, {"last_name": "X"}), FieldChange(FieldGroup.EMAIL, None)]
    current = {FieldGroup.NAME: Version(DVV, EARLIER), FieldGroup.EMAIL: Version(CUSTOMER, EARLIER)}
    applied, stale = split_by_precedence(changes, Version(SBANK, T), current)
    assert applied == [changes[1]] and stale == [changes[0]]
