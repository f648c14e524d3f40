"""The field policy per role: one person document, and what each role is shown of it (and audited for)."""
from __future__ import annotations

import pytest

from services.register_api.domain.access import ROLE_SCOPES
from services.register_api.domain.field_policy import VISIBLE_FIELDS, disclose

DOCUMENT = {
    "person": {"person_id": "p-1", "pseudonym": "ab12", "customer_number": 100000001, "identity_code": "010150-123A",
               "name": {"first_names": "Maija", "last_name": "M"}, "birth_date": "1950-01-01", "birth_year": 1950,
               "language": "fi", "customer_kind": "owner_customer"},
    "contact": {"email": {"address": "m@example.fi"}, "home_municipality": {"code": "091"},
                "permanent_address": {"street": "Katu 1"}},
    "household": {"household_id": "h-1", "role": "main_member", "status": "active",
                  "members": [{"person_id": "p-2", "role": "member"}]},
    "memberships": [{"membership_id": "m-1", "member_number": "0000000018"}],
    "benefit_account": [{"iban": "FI2112345600000785", "last_four": "0785", "account_type": "current_account"}],
    "cards": [{"card_token": "t", "last_four": "1234"}],
    "consents": {"marketing_prohibition": False, "blocks": {"surveys": True},
                 "receipts": [{"item": "block:surveys", "actor": "anna"}]},
    "segments": {"published_in": [{"segment": "s-1", "pseudonym": "9f2c", "attributes": {"age_band": "30-39"}}],
                 "facts": {"sbank_customer_ref": "SB-1"}},
    "purchases": [{"receipt_id": "r-1", "purchased_at": "2026-01-01", "chain": "prisma", "total_cents": 100,
                   "lines": [{"amount_cents": 100}]}],
    "bonus": {"bookings": [{"receipt_id": "r-1"}]},
}

SEES = {
    "customer_service": {"person.person_id", "person.name", "contact.email", "household.members", "cards.last_four",
                         "purchases.total_cents", "benefit_account.last_four", "bonus.bookings"},
    "membership_admin": {"person.identity_code", "memberships.member_number", "benefit_account.iban",
                         "contact.permanent_address"},
    "card_operations": {"person.name", "cards.last_four", "household.household_id"},
    "finance": {"person.customer_number", "memberships.member_number", "benefit_account.last_four", "bonus.bookings"},
    "marketing_analyst": {"person.pseudonym", "person.birth_year", "contact.home_municipality",
                          "consents.marketing_prohibition", "consents.blocks", "purchases.total_cents",
                          "purchases.chain"},
    "data_protection_officer": {"person.identity_code", "benefit_account.iban", "purchases.lines"},
    "data_subject": {"person.identity_code", "benefit_account.iban", "purchases.lines", "contact.email"},
}
NEVER_SEES = {
    "customer_service": {"person.identity_code", "benefit_account.iban", "purchases.lines", "person.pseudonym",
                         "segments.facts"},
    "membership_admin": {"purchases.total_cents", "cards.last_four", "contact.email", "bonus.bookings"},
    "card_operations": {"contact.email", "purchases.total_cents", "person.identity_code", "household.members",
                        "benefit_account.last_four"},
    "finance": {"person.name", "contact.email", "purchases.total_cents", "benefit_account.iban"},
    "marketing_analyst": {"person.person_id", "person.name", "person.customer_number", "person.identity_code",
                          "person.birth_date", "contact.email", "contact.permanent_address", "purchases.receipt_id",
                          "purchases.lines", "household.members", "cards.last_four", "consents.receipts",
                          "segments.published_in", "segments.facts"},
    "auditor": {"person.person_id", "person.name", "contact.email", "purchases.total_cents"},
}


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_sees_the_fields_its_tasks_need(role):
    assert SEES[role] <= disclose(DOCUMENT, [role]).fields


@pytest.mark.parametrize("role", sorted(NEVER_SEES))
def test_each_role_never_sees_fields_beyond_its_tasks(role):
    disclosure = disclose(DOCUMENT, [role])
    assert not NEVER_SEES[role] & disclosure.fields
    text = str(disclosure.document)
    if role in ("marketing_analyst", "auditor", "finance", "card_operations"):
        assert "m@example.fi" not in text and "Katu 1" not in text


def test_the_marketing_analyst_gets_no_direct_identifier_at_all():
    shown = str(disclose(DOCUMENT, ["marketing_analyst"]).document)
    for identifier in ("p-1", "p-2", "100000001", "010150-123A", "Maija", "r-1", "0785", "1234", "9f2c", "SB-1"):
        assert identifier not in shown


def test_customer_service_sees_which_segments_a_person_is_in_but_not_their_pseudonyms_there():
    shown = disclose(DOCUMENT, ["customer_service"]).document["segments"]
    assert shown == {"published_in": [{"segment": "s-1"}]}


def test_the_auditor_sees_no_personal_data_but_the_audit_log():
    assert disclose(DOCUMENT, ["auditor"]).fields == frozenset()
    entry = {"items": [{"audit": {"actor": "anna", "person_ids": ["p-1"], "fields": ["contact.email"]}}]}
    assert disclose(entry, ["auditor"]).document == entry


def test_a_list_of_documents_is_filtered_item_by_item():
    listed = disclose({"items": [DOCUMENT, DOCUMENT]}, ["card_operations"]).document
    assert [set(item) for item in listed["items"]] == [{"person", "household", "cards"}] * 2


def test_a_scalar_where_a_section_is_expected_is_not_let_through():
    assert disclose({"person": "secret"}, ["card_operations"]).document == {}


def test_several_roles_see_the_union_of_their_fields():
    both = disclose(DOCUMENT, ["finance", "card_operations"]).fields
    assert both == disclose(DOCUMENT, ["finance"]).fields | disclose(DOCUMENT, ["card_operations"]).fields


def test_every_role_has_a_field_policy():
    assert set(VISIBLE_FIELDS) == set(ROLE_SCOPES)
