"""The consent part of the S-Bank exchange: what S-Bank keeps, and that nothing is echoed."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.consent.domain.consent import Statement, block_item, permission_item
from services.consent.domain.sbank_exchange import goes_to_sbank, sbank_parts, statements_from_sbank

pytestmark = pytest.mark.unit

AT = datetime(2030, 5, 1, 9, 0, tzinfo=timezone.utc)


def test_an_sbank_update_is_read_as_statements_of_what_it_carries():
    statements = statements_from_sbank({"email": True, "sms": None}, {"telemarketing": True, "surveys": False}, AT)
    assert statements == [Statement(permission_item("email"), True, AT),
                          Statement(block_item("telemarketing"), True, AT), Statement(block_item("surveys"), False, AT)]


@pytest.mark.parametrize("source, item, sent", [
    ("self_service", permission_item("email"), True),
    ("customer_service", block_item("all_marketing"), True),
    ("sbank", permission_item("email"), False),                    # came from S-Bank: never sent back
    ("population_register", block_item("all_marketing"), False),  # the membership service sends those
    ("register", block_item("all_marketing"), False),
    ("self_service", block_item("product_data_targeting"), False),  # S-Bank does not keep it
    ("self_service", block_item("owner_customer_mail"), False),
])
def test_only_the_registers_own_changes_of_what_sbank_keeps_go_to_sbank(source, item, sent):
    assert goes_to_sbank(source, item) is sent


def test_statements_become_sbanks_permissions_and_prohibitions():
    assert sbank_parts([Statement(permission_item("sms"), False, AT), Statement(block_item("direct_mail"), True, AT)]) \
        == {"permissions": {"sms": False}, "prohibitions": {"direct_mail": True}}
    assert sbank_parts([Statement(permission_item("email"), True, AT)]) == {"permissions": {"email": True}}
