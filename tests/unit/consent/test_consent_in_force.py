"""What is in force for a person: the latest statement per item, the household effect on product-level data,
and death."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest

from services.consent.domain.consent import (
    OwnConsent,
    Statement,
    block_item,
    effective_consent,
    in_force,
    latest_statement_wins,
    permission_item,
    register_prohibition_statement,
)

pytestmark = pytest.mark.unit

T0 = datetime(2030, 5, 1, 9, 0, tzinfo=timezone.utc)
EMAIL = permission_item("email")


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.mark.parametrize("new, current, wins", [
    (Statement(EMAIL, True, at(1)), None, True),
    (Statement(EMAIL, False, at(2)), Statement(EMAIL, True, at(1)), True),
    (Statement(EMAIL, False, at(1)), Statement(EMAIL, True, at(2)), False),   # arrived late: older
    (Statement(EMAIL, False, at(1)), Statement(EMAIL, True, at(1)), False),   # same time: a repeat
])
def test_the_latest_statement_of_an_item_wins(new, current, wins):
    assert latest_statement_wins(new, current) is wins


def test_a_statement_without_a_utc_offset_is_refused():
    with pytest.raises(ValueError):
        latest_statement_wins(Statement(EMAIL, True, datetime(2030, 1, 1)), None)


def test_the_same_statements_in_any_order_give_the_same_consent():
    statements = [Statement(EMAIL, True, at(1)), Statement(EMAIL, False, at(3)), Statement(EMAIL, True, at(2)),
                  Statement(block_item("surveys"), True, at(5)), Statement(block_item("surveys"), False, at(4))]
    results = {tuple(sorted(in_force(order).items())) for order in itertools.permutations(statements)}
    assert results == {((block_item("surveys"), True), (EMAIL, False))}


def test_own_consent_reads_blocks_and_granted_permissions_only():
    own = OwnConsent.from_items({block_item("telemarketing"): True, block_item("surveys"): False,
                                 EMAIL: True, permission_item("sms"): False})
    assert own == OwnConsent(frozenset({"telemarketing"}), frozenset({"email"}))


def test_a_household_members_product_data_block_covers_the_household():
    member = OwnConsent(frozenset({"product_data_targeting", "telemarketing"}))
    consent = effective_consent(OwnConsent(), [member])
    assert consent.blocked("product_data_targeting")
    assert not consent.blocked("telemarketing")  # a member's other blocks are their own


def test_no_collection_of_product_level_data_means_no_use_of_it():
    consent = effective_consent(OwnConsent(), [OwnConsent(frozenset({"product_data_collection"}))])
    assert {b for b in ("product_data_collection", "product_data_targeting", "product_data_services")
            if consent.blocked(b)} == {"product_data_collection", "product_data_targeting", "product_data_services"}


def test_the_all_marketing_block_and_death_prohibit_marketing():
    assert effective_consent(OwnConsent(frozenset({"all_marketing"}))).marketing_prohibited
    dead = effective_consent(OwnConsent(permissions=frozenset({"email"})), deceased=True)
    assert dead.marketing_prohibited and not dead.permitted("email")
    assert not effective_consent(OwnConsent()).marketing_prohibited


def test_a_change_of_the_registers_prohibition_is_a_statement_on_all_marketing():
    assert register_prohibition_statement(False, True, at(1)) == Statement(block_item("all_marketing"), True, at(1))
    assert register_prohibition_statement(True, True, at(1)) is None
