"""Roles → scopes as data: each role's scopes, the union of several, self-service to one's own data only,
and the purpose recorded with each access."""
from __future__ import annotations

import pytest

from services.register_api.domain.access import (
    ROLE_PURPOSES,
    ROLE_SCOPES,
    Forbidden,
    Principal,
    UnknownPurpose,
    check_person,
    purpose_for,
    scopes_for,
)

ROLE_CAN = [
    ("customer_service", "person:search", True), ("customer_service", "person:rectify", True),
    ("customer_service", "erasure:run", False), ("customer_service", "audit:read", False),
    ("membership_admin", "membership:read", True), ("membership_admin", "purchase:read", False),
    ("card_operations", "card:read", True), ("card_operations", "contact:read", False),
    ("finance", "bonus:read", True), ("finance", "contact:read", False), ("finance", "person:rectify", False),
    ("marketing_analyst", "person:search", False), ("marketing_analyst", "contact:read", False),
    ("marketing_analyst", "consent:read", True),
    ("auditor", "audit:read", True), ("auditor", "person:read", False),
    ("data_protection_officer", "erasure:run", True), ("data_protection_officer", "retention:run", True),
    ("data_protection_officer", "person:rectify", False),
    ("data_subject", "extract:request", True), ("data_subject", "person:search", False),
    ("data_subject", "audit:read", False),
    ("customer_service", "customer_group:read", True), ("membership_admin", "customer_group:read", True),
    ("data_subject", "customer_group:read", True), ("marketing_analyst", "customer_group:read", False),
    ("card_operations", "customer_group:read", False), ("finance", "customer_group:read", False),
    ("data_subject", "customer_group:change", True), ("data_subject", "partner_registration:change", True),
    ("data_subject", "household_group:change", False), ("membership_admin", "household_group:change", True),
    ("marketing_analyst", "customer_group:change", False), ("finance", "partner_registration:change", False),
]


@pytest.mark.parametrize("role, scope, granted", ROLE_CAN)
def test_each_role_has_exactly_the_scopes_its_tasks_need(role, scope, granted):
    assert (scope in scopes_for([role])) is granted


def test_scopes_of_several_roles_are_their_union_and_unknown_roles_grant_nothing():
    assert scopes_for(["auditor", "finance"]) == ROLE_SCOPES["auditor"] | ROLE_SCOPES["finance"]
    assert scopes_for(["superuser"]) == frozenset()


def test_every_scope_is_named_resource_colon_action():
    assert all(scope.count(":") == 1 for scopes in ROLE_SCOPES.values() for scope in scopes)


def test_a_data_subject_reaches_only_their_own_data():
    me = Principal("maija", frozenset({"data_subject"}), person_id="p-1")
    check_person(me, "person:read", "p-1")
    with pytest.raises(Forbidden):
        check_person(me, "person:read", "p-2")


def test_staff_reach_anyone_their_scopes_allow_but_nothing_else():
    staff = Principal("anna", frozenset({"card_operations"}))
    check_person(staff, "card:read", "p-2")
    with pytest.raises(Forbidden):
        check_person(staff, "purchase:read", "p-2")


@pytest.mark.parametrize("roles, requested, recorded", [
    ({"customer_service"}, None, "customer_service"),
    ({"customer_service"}, "rectification", "rectification"),
    ({"data_subject"}, None, "self_service"),
    ({"auditor", "finance"}, "audit", "audit"),
])
def test_the_purpose_is_the_one_asked_for_or_the_roles_default(roles, requested, recorded):
    assert purpose_for(Principal("u", frozenset(roles)), requested) == recorded


def test_a_purpose_the_roles_do_not_work_for_is_refused():
    with pytest.raises(UnknownPurpose):
        purpose_for(Principal("u", frozenset({"marketing_analyst"})), "customer_service")


def test_every_role_has_a_purpose():
    assert set(ROLE_PURPOSES) == set(ROLE_SCOPES) and all(ROLE_PURPOSES.values())
