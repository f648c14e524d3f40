"""Event SQL generated from the contracts, run on the real PostgreSQL: for sample rows — strings with
quotes, backslashes, control characters and unicode, null optionals, empty lists — the JSON it builds is
the model's: parsed with the model it equals the model of the same values, and where PostgreSQL writes no
value of its own format (a timestamp, a jsonb) it is byte for byte `model_dump_json`."""
from __future__ import annotations

from datetime import date, datetime, timezone

import orjson
import pytest
from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.events.bonus import BonusPayout, BonusStatement, PayoutTransaction, StatementExclusion, StatementMember
from contracts.events.common import Contract
from contracts.events.membership_states import BenefitAccountRef
from contracts.events.purchases import Exclusion, PurchaseAccepted
from shared.event_sql import (
    Const,
    Elements,
    Json,
    Listed,
    When,
    envelope_headers_sql,
    json_list_agg,
    json_sql,
    json_sql_split,
)
from shared.outbox import header_pairs

ODD = ['plain', 'a "quoted" \\ backslash', "it's", 'äö € 𝄞 \u2028 ✓', 'tab\tnew\nline\r\x01\x1f\x7f', '', '/</script>']


async def rows_of(pool, sql: str, *args) -> list[str]:
    return [r[0] for r in await pool.fetch(sql, *args)]


async def test_statements_with_members_and_exclusions_are_the_contracts_json(pools):
    sql = json_sql(BonusStatement, {
        "statement_id": "'statement:' || s.household_id || ':' || $1", "household_id": "s.household_id",
        "month": "$1", "cooperative_id": "s.cooperative_id", "table_version": "s.table_version",
        **{n: "s.n" for n in ("rate_bp", "tier_total_cents", "bonus_eligible_cents", "own_cooperative_eligible_cents",
                              "fuel_cents", "fuel_millilitres", "payment_method_eligible_cents", "bonus_cents",
                              "fuel_bonus_cents", "payment_method_benefit_cents", "receipts")},
        "members": Listed(StatementMember, "m.members"),
        "excluded": Listed(StatementExclusion, "x.excluded"),
    })
    members = json_list_agg(StatementMember, {"person_id": "person_id", "receipts": "n",
                                              "bonus_eligible_cents": "-n * 1000000000000"},
                            order_by="n")  # not by text: that is the database's collation
    excluded = json_list_agg(StatementExclusion, {"reason": "reason", "cents": "n"}, order_by="n")
    # each statement's lists grouped apart and joined, as the close's feed does; the first has no
    # exclusions (no rows: the aggregate is null, an empty list)
    values = await rows_of(pools["bonus"], f"""
        SELECT {sql} FROM unnest($2::text[]) WITH ORDINALITY s0(household_id, n)
        CROSS JOIN LATERAL (SELECT s0.household_id, s0.household_id AS cooperative_id,
                                   s0.household_id AS table_version, (s0.n - 1)::int AS n) s
        LEFT JOIN LATERAL (SELECT {members} AS members FROM unnest($3::text[], $4::int[]) u(person_id, n)
                           WHERE u.n <= s.n) m ON true
        LEFT JOIN LATERAL (SELECT {excluded} AS excluded FROM unnest($3::text[], $4::int[]) u(reason, n)
                           WHERE u.n < s.n) x ON true
        ORDER BY s.n""", "2035-01", ODD, ODD, list(range(len(ODD))))
    for n, (household, value) in enumerate(zip(ODD, values, strict=True)):
        expected = BonusStatement(
            statement_id=f"statement:{household}:2035-01", household_id=household, month="2035-01",
            cooperative_id=household, table_version=household, **dict.fromkeys((
                "rate_bp", "tier_total_cents", "bonus_eligible_cents", "own_cooperative_eligible_cents", "fuel_cents",
                "fuel_millilitres", "payment_method_eligible_cents", "bonus_cents", "fuel_bonus_cents",
                "payment_method_benefit_cents", "receipts"), n),
            members=[StatementMember(person_id=p, receipts=k, bonus_eligible_cents=-k * 10**12)
                     for k, p in enumerate(ODD) if k <= n],
            excluded=[StatementExclusion(reason=r, cents=k) for k, r in enumerate(ODD) if k < n])
        assert BonusStatement.model_validate_json(value) == expected
        assert value == expected.model_dump_json()  # byte for byte: order, escapes, numbers, empty lists


PAYOUT = {
    "payout_id": "s.household_id || ':' || $1", "household_id": "s.household_id", "month": "$1", "rate_bp": "s.n",
    "due_on": "$2::date",
    "transactions": Elements(PayoutTransaction, [
        When("s.n % 2 = 1", {"kind": Const("bonus"), "amount_cents": "s.n"}),
        When("s.n > 2", {"kind": Const("fuel_bonus"), "amount_cents": "-s.n"})]),
    "contribution_cents": "s.n * 7",
    "benefit_account": Json("s.account"),
}
ACCOUNT = BenefitAccountRef(account_ref='ref "1"\\', account_type="savings_account", last_four="AB12",
                            valid_from=datetime(2035, 1, 1, 8, tzinfo=timezone.utc), sealed_for="p-ä",
                            iban_sealed="c2VhbGVk+/=")


async def test_payouts_whole_or_in_two_parts_are_the_contracts_json(pools):
    head, tail = json_sql_split(BonusPayout, PAYOUT, at="benefit_account")
    rows = await pools["bonus"].fetch(f"""
        SELECT {json_sql(BonusPayout, PAYOUT)} AS whole, {head} AS head, {tail} AS tail
        FROM (SELECT household_id, (n - 1)::int AS n, CASE WHEN n % 2 = 0 THEN $4::jsonb END AS account
              FROM unnest($3::text[]) WITH ORDINALITY t(household_id, n)) s ORDER BY s.n""",
        "2035-01", date(2035, 2, 10), ODD, ACCOUNT.model_dump_json())
    for n, (household, row) in enumerate(zip(ODD, rows, strict=True)):
        expected = BonusPayout(
            payout_id=f"{household}:2035-01", household_id=household, month="2035-01", rate_bp=n,
            due_on=date(2035, 2, 10), contribution_cents=n * 7, benefit_account=ACCOUNT if n % 2 else None,
            transactions=[*([PayoutTransaction(kind="bonus", amount_cents=n)] if n % 2 == 1 else []),
                          *([PayoutTransaction(kind="fuel_bonus", amount_cents=-n)] if n > 2 else [])])
        assert row["head"] + row["tail"] == row["whole"]
        assert BonusPayout.model_validate_json(row["whole"]) == expected
        if expected.benefit_account is None:  # a jsonb comes back in jsonb's own layout
            assert row["whole"] == expected.model_dump_json()
            assert row["head"] == expected.model_dump_json(exclude={"benefit_account"})[:-1]  # as held from Python


async def test_accepted_purchases_with_null_optionals_are_the_contracts_json(pools):
    sql = json_sql(PurchaseAccepted, {
        **{n: "r.s" for n in ("receipt_id", "household_id", "person_id", "cooperative_id", "outlet_id", "chain")},
        "outlet_cooperative_id": "r.maybe", "return_of": "r.maybe", "purchased_at": "$1::timestamptz",
        **{n: "r.n" for n in ("total_cents", "bonus_eligible_cents", "fuel_cents", "fuel_millilitres",
                              "payment_method_eligible_cents")},
        "excluded": Json("r.excluded"),
    })
    at = datetime(2035, 1, 31, 22, 30, 15, 123456, tzinfo=timezone.utc)
    excluded = [Exclusion(line_no=None, reason='payment "method"', cents=5), Exclusion(line_no=2, reason="ä", cents=-1)]
    values = await rows_of(pools["purchases"], f"""
        SELECT {sql} FROM (SELECT s, (n - 1)::int AS n, CASE WHEN n % 2 = 0 THEN s END AS maybe,
                                  CASE WHEN n % 2 = 0 THEN $3::json ELSE '[]'::json END AS excluded
                           FROM unnest($2::text[]) WITH ORDINALITY t(s, n)) r ORDER BY r.n""",
        at, ODD, orjson.dumps([e.model_dump() for e in excluded]).decode())
    for n, (s, value) in enumerate(zip(ODD, values, strict=True)):
        maybe = s if n % 2 else None
        expected = PurchaseAccepted(
            receipt_id=s, household_id=s, person_id=s, cooperative_id=s, outlet_id=s, chain=s, purchased_at=at,
            outlet_cooperative_id=maybe, return_of=maybe, total_cents=n, bonus_eligible_cents=n, fuel_cents=n,
            fuel_millilitres=n, payment_method_eligible_cents=n, excluded=excluded if n % 2 else [])
        parsed = PurchaseAccepted.model_validate_json(value)
        assert parsed == expected and parsed.model_dump_json() == expected.model_dump_json()


class Sample(Contract):
    """What the contracts above do not have: an optional number, an optional date, a nullable list."""

    kind: str
    count: int | None
    day: date | None
    state: str | None = None
    items: list[Exclusion] | None = None


async def test_nulls_of_optional_fields_are_json_nulls_and_a_null_required_one_is_refused_by_the_model(pools):
    sql = json_sql(Sample, {"kind": "t.kind", "count": "t.n", "day": "t.day", "items": Json("t.items")})
    values = await rows_of(pools["bonus"], f"""
        SELECT {sql} FROM (VALUES ('a', 1, date '2035-01-02', '[]'::json), ('b', NULL, NULL, NULL),
                                  (NULL, 2, NULL, NULL)) t(kind, n, day, items) ORDER BY t.kind NULLS LAST""")
    assert values[:2] == [Sample(kind="a", count=1, day=date(2035, 1, 2), items=[]).model_dump_json(),
                          Sample(kind="b", count=None, day=None).model_dump_json()]
    # A required field null in SQL: the event is still there, and its consumers refuse it by name.
    assert values[2] == '{"kind":null,"count":2,"day":null,"state":null,"items":null}'
    with pytest.raises(ValidationError, match="kind"):
        Sample.model_validate_json(values[2])


async def test_envelope_headers_built_in_sql_are_the_envelopes(pools):
    at = datetime(2035, 1, 1, 12, tzinfo=timezone.utc)
    sql = envelope_headers_sql("$4::text[]", id="'e:' || $1", source="$2::text", type="$3::text",
                               time="to_json($5::timestamptz) #>> '{}'", subject="$1", cooperative="NULL")
    [stored] = await rows_of(pools["bonus"], f"SELECT {sql}::text", 'h "1"\\ä', "coopreg/x", "x.v1",
                             ["traceparent", "00-ab"], at)
    envelope = Envelope(id='e:h "1"\\ä', source="coopreg/x", type="x.v1", time=at, subject='h "1"\\ä')
    pairs = header_pairs(stored)
    assert pairs[-1] == ("traceparent", b"00-ab")
    assert Envelope.from_headers(pairs, "x.v1", b"{}") == envelope
