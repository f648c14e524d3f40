"""Who may read the tax report, open a dead letter, and read a household's Bonus month (issue 26)."""
from __future__ import annotations

from services.register_api.domain.access import ROLE_PURPOSES, ROLE_SCOPES
from services.register_api.domain.field_policy import disclose
from services.register_api.domain.sections import readable_sections


def holders(scope: str) -> set[str]:
    return {role for role, scopes in ROLE_SCOPES.items() if scope in scopes}


def test_only_finance_reads_the_tax_report_and_only_operations_open_dead_letters():
    assert holders("tax_report:read") == {"finance"}
    assert holders("dead_letter:open") == {"operations"}


def test_operations_read_no_section_of_anyone_and_see_only_the_opening():
    assert readable_sections(ROLE_SCOPES["operations"]) == []
    assert ROLE_PURPOSES["operations"] == ("incident_handling",)
    document = {"dead_letter": {"topic": "t", "persons": [{"person_id": "p-1"}]}, "person": {"name": "Maija"}}
    assert disclose(document, ["operations"]).document == {"dead_letter": {"topic": "t",
                                                                           "persons": [{"person_id": "p-1"}]}}


def test_a_household_s_bonus_month_is_for_those_who_answer_for_the_money():
    # legal staff answering an authority (the enforcement authority asks for Bonus paid) read it too
    assert holders("bonus:read") == {"customer_service", "finance", "data_protection_officer", "data_subject",
                                     "authority_requests"}
    seen = disclose({"bonus": {"members": [{"person_id": "p-1"}], "explained": {"status": "closed"}}}, ["finance"])
    assert "bonus.members" in seen.fields and "bonus.explained" in seen.fields
    assert disclose({"tax_report": {"csv": "x"}}, ["customer_service"]).document == {}
