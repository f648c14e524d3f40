"""Event SQL generated from the contracts: a mapping that would let the SQL drift from its model is
refused when the SQL is built, and what is built follows the model (its order, its defaults)."""
import pytest

from contracts.events.bonus import BonusPayout, PayoutTransaction, StatementMember
from contracts.events.purchases import PurchaseAccepted
from shared.event_sql import Const, Elements, Json, Listed, When, envelope_headers_sql, json_sql, json_sql_split

MEMBER = {"person_id": "m.person_id", "receipts": "m.receipts", "bonus_eligible_cents": "m.cents"}
TRANSACTIONS = Elements(PayoutTransaction, [When("s.cash <> 0", {"kind": Const("bonus"), "amount_cents": "s.cash"})])
PAYOUT = {"payout_id": "s.id", "household_id": "s.household", "month": "$1", "rate_bp": "s.rate", "due_on": "$2",
          "transactions": TRANSACTIONS}


def test_a_mapping_without_a_required_field_is_refused():
    with pytest.raises(ValueError, match="required field.*person_id"):
        json_sql(StatementMember, {"receipts": "m.receipts", "bonus_eligible_cents": "m.cents"})


def test_a_mapping_naming_a_field_the_model_does_not_have_is_refused():
    with pytest.raises(ValueError, match="StatementMember has no field colour"):
        json_sql(StatementMember, {**MEMBER, "colour": "'red'"})


def test_a_constant_the_field_does_not_admit_is_refused():
    with pytest.raises(ValueError):
        json_sql(PayoutTransaction, {"kind": Const("gift"), "amount_cents": "1"})


def test_a_list_of_another_model_or_sql_for_a_nested_field_is_refused():
    with pytest.raises(ValueError, match="a list of StatementMember"):
        json_sql(BonusPayout, {**PAYOUT, "transactions": Listed(StatementMember, "m.members")})
    with pytest.raises(ValueError, match="BonusPayout.benefit_account: no SQL expression"):
        json_sql(BonusPayout, {**PAYOUT, "benefit_account": "h.account"})


def test_a_nested_mapping_is_checked_too():
    with pytest.raises(ValueError, match="PayoutTransaction: no SQL for the required field.*amount_cents"):
        json_sql(BonusPayout, {**PAYOUT, "transactions": Elements(PayoutTransaction, [When("true", {"kind": "'x'"})])})


def test_fields_come_in_the_models_order_with_its_defaults():
    sql = json_sql(BonusPayout, dict(reversed(PAYOUT.items())))
    keys = ["payout_id", "household_id", "month", "rate_bp", "due_on", "currency", "transactions",
            "contribution_cents", "benefit_account"]
    positions = [sql.index(f'"{key}":') for key in keys]
    assert positions == sorted(positions)
    assert '"currency":"EUR"' in sql and '"contribution_cents":0,"benefit_account":null}' in sql


def test_strings_are_escaped_unless_their_pattern_admits_nothing_to_escape():
    sql = json_sql(BonusPayout, PAYOUT)
    assert "to_json(s.household::text)" in sql  # any string
    assert ""","month":"' || $1 || '",""" in sql  # YYYY-MM: nothing JSON escapes
    assert ""","due_on":"' || $2 || '",""" in sql  # a date's ISO text
    assert "s.rate ||" in sql and "to_json(s.rate" not in sql  # a number as it is


def test_a_split_object_is_the_whole_in_two_parts():
    head, tail = json_sql_split(BonusPayout, {**PAYOUT, "benefit_account": Json("h.account")}, at="benefit_account")
    assert tail.startswith("""',"benefit_account":'""") and tail.endswith("'}'")
    assert "benefit_account" not in head
    with pytest.raises(ValueError, match="cannot split"):
        json_sql_split(BonusPayout, PAYOUT, at="payout_id")
    with pytest.raises(ValueError, match="cannot split"):
        json_sql_split(BonusPayout, PAYOUT, at="colour")


def test_quotes_in_constants_are_sql_escaped():
    sql = json_sql(PurchaseAccepted, {name: f"r.{name}" for name in PurchaseAccepted.model_fields} | {
        "chain": Const("it's"), "excluded": Json("r.excluded")})
    assert """"chain":"it''s",""" in sql


def test_envelope_headers_need_what_the_envelope_cannot_default():
    with pytest.raises(ValueError, match="envelope attribute time needs an SQL expression"):
        envelope_headers_sql(id="x", source="'s'", type="'t'")
    sql = envelope_headers_sql(id="x", source="'s'", type="'t'", time="now()::text")
    assert "'ce_specversion', '1.0'" in sql and "ce_subject" not in sql
