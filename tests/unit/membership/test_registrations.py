"""Registrations over time: partner registrations, supporter groups and the household's customer group."""
from datetime import datetime, timedelta, timezone

import pytest

from services.membership.domain.errors import (
    InvalidGroupId,
    InvalidPartnerId,
    InvalidValidity,
    NotRegistered,
    OverlappingValidity,
)
from services.membership.domain.registrations import (
    GroupPeriod,
    HouseholdGroupChange,
    Validity,
    check_group_id,
    check_partner_id,
    household_group_change,
    is_new_period,
    period_to_end,
)

pytestmark = pytest.mark.unit

T = datetime(2030, 1, 1, tzinfo=timezone.utc)


def days(n: int) -> datetime:
    return T + timedelta(days=n)


def period(start: int, end: int | None = None) -> Validity:
    return Validity(days(start), None if end is None else days(end))


@pytest.mark.parametrize("value, valid", [
    ("elisa", True), ("vantaan-energia", True), ("ab", True), ("x" * 32, True),
    ("a", False), ("x" * 33, False), ("Elisa", False), ("elisa oy", False), ("elisa_oy", False), ("", False),
])
def test_partner_and_group_ids_are_slugs(value, valid):
    for check, error in ((check_partner_id, InvalidPartnerId), (check_group_id, InvalidGroupId)):
        if valid:
            assert check(value) == value
        else:
            with pytest.raises(error):
                check(value)


@pytest.mark.parametrize("start, end", [(5, 5), (5, 4)])
def test_a_period_ends_after_it_starts(start, end):
    with pytest.raises(InvalidValidity):
        period(start, end)


def test_a_naive_time_is_no_validity():
    with pytest.raises(InvalidValidity):
        Validity(datetime(2030, 1, 1))


@pytest.mark.parametrize("recorded, new, overlap", [
    ([period(0, 10)], period(10, 20), False),          # back to back: the end is exclusive
    ([period(10, 20)], period(0, 10), False),
    ([period(0, 10)], period(9, 20), True),
    ([period(0, 10)], period(2, 3), True),            # inside
    ([period(0)], period(100, 200), True),            # open-ended covers everything after
    ([period(5, 10)], period(0), True),               # an open-ended new one covers a later one
    ([period(0, 10), period(20, 30)], period(10, 20), False),
])
def test_periods_of_one_partner_never_overlap(recorded, new, overlap):
    if overlap:
        with pytest.raises(OverlappingValidity):
            is_new_period(recorded, new)
    else:
        assert is_new_period(recorded, new)


def test_the_same_period_again_is_the_same_registration():
    assert is_new_period([period(0, 10), period(20)], period(20)) is False


def test_ending_ends_the_period_in_force_then():
    assert period_to_end([period(0, 10), period(20)], days(25)) == period(20)
    assert period_to_end([period(0, 10), period(20)], days(5)) == period(0, 10)


def test_ending_what_ended_then_already_changes_nothing():
    assert period_to_end([period(0, 10)], days(10)) is None


@pytest.mark.parametrize("recorded, at", [([], 5), ([period(0, 10)], 15), ([period(20)], 15)])
def test_ending_nothing_in_force_is_refused(recorded, at):
    with pytest.raises(NotRegistered):
        period_to_end(recorded, days(at))


def test_a_period_cannot_end_the_moment_it_starts():
    with pytest.raises(InvalidValidity):
        period_to_end([period(5)], days(5))


FOUNDED = days(0)


@pytest.mark.parametrize("current, group, at, change", [
    (None, "families", 1, HouseholdGroupChange(None, "families")),
    (GroupPeriod("families", days(1)), "seniors", 30, HouseholdGroupChange(days(30), "seniors")),
    (GroupPeriod("families", days(1)), None, 30, HouseholdGroupChange(days(30), None)),
    (GroupPeriod("families", days(1)), "families", 30, HouseholdGroupChange(None, None)),  # unchanged
    (None, None, 30, HouseholdGroupChange(None, None)),
])
def test_a_household_has_one_group_at_a_time(current, group, at, change):
    assert household_group_change(current, group, days(at), FOUNDED) == change


@pytest.mark.parametrize("at", [1, 0])
def test_a_group_change_dated_at_or_before_the_current_groups_start_is_refused(at):
    with pytest.raises(OverlappingValidity):
        household_group_change(GroupPeriod("families", days(1)), "seniors", days(at), FOUNDED)


def test_no_group_before_the_household_was_founded():
    with pytest.raises(InvalidValidity):
        household_group_change(None, "families", days(-1), FOUNDED)


def test_a_household_group_id_is_checked():
    with pytest.raises(InvalidGroupId):
        household_group_change(None, "Families!", days(1), FOUNDED)
