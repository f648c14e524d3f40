"""Retention periods as data, and the calendar arithmetic that turns them into cut-offs and deadlines."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.register_api.domain.extract import deadline_for, is_overdue
from services.register_api.domain.months import add_months
from services.register_api.domain.retention import (
    RetentionRule,
    is_due,
    load_retention_rules,
    months_before,
    parse_rules,
)

UTC = timezone.utc
NOW = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("data_group, months", [
    ("purchases", 24), ("paid_bonus", 24), ("payment_method_benefit", 24), ("ended_base_data", 24),
    ("ended_contact_data", 24), ("household_data", 24), ("orders", 24), ("service_blocks", 24),
    ("customer_relationship", 24), ("inactive_customer", 24), ("membership_records", None),
    ("contribution_records", None),
])
def test_the_periods_are_those_of_the_register_description(data_group, months):
    assert load_retention_rules().rule(data_group).months == months


def test_the_statutory_member_register_is_never_given_a_cut_off():
    cutoffs = load_retention_rules().cutoffs(NOW)
    assert "membership_records" not in cutoffs and "contribution_records" not in cutoffs
    assert cutoffs["purchases"] == datetime(2024, 3, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("at, months, expected", [
    (datetime(2026, 3, 31, tzinfo=UTC), 1, datetime(2026, 4, 30, tzinfo=UTC)),
    (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
    (datetime(2028, 2, 29, tzinfo=UTC), -24, datetime(2026, 2, 28, tzinfo=UTC)),
    (datetime(2026, 12, 15, tzinfo=UTC), 1, datetime(2027, 1, 15, tzinfo=UTC)),
    (datetime(2026, 1, 15, tzinfo=UTC), -1, datetime(2025, 12, 15, tzinfo=UTC)),
])
def test_months_are_counted_on_the_calendar(at, months, expected):
    assert add_months(at, months) == expected


def test_times_must_be_aware_and_periods_not_negative():
    with pytest.raises(ValueError):
        add_months(datetime(2026, 1, 1), 1)
    with pytest.raises(ValueError):
        months_before(NOW, -1)


RULE = RetentionRule("purchases", 24, "purchase time", "seed §11")
KEPT = RetentionRule("membership_records", None, "never", "Co-operatives Act")


@pytest.mark.parametrize("rule, clock, due", [
    (RULE, NOW - timedelta(days=731), True),
    (RULE, datetime(2024, 3, 31, 11, 59, tzinfo=UTC), True),
    (RULE, datetime(2024, 3, 31, 12, 0, tzinfo=UTC), False),
    (RULE, NOW - timedelta(days=300), False),
    (RULE, None, False),
    (KEPT, NOW - timedelta(days=36500), False),
])
def test_data_are_due_when_their_clock_lies_before_the_cut_off(rule, clock, due):
    assert is_due(rule, clock, NOW) is due


def test_a_data_group_with_two_rules_is_refused():
    rule = {"data_group": "orders", "months": 24, "clock": "c", "basis": "b"}
    with pytest.raises(ValueError):
        parse_rules({"rules": [rule, rule]})


def test_an_extract_is_due_within_a_month_and_overdue_only_while_not_ready():
    requested = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    assert deadline_for(requested) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert is_overdue("requested", deadline_for(requested), requested + timedelta(days=40))
    assert not is_overdue("ready", deadline_for(requested), requested + timedelta(days=40))
