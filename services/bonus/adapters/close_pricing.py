"""The month close priced set-based: one chunk of households (a key range) in a few statements.

The SQL is a transcription of the pure domain (``services/bonus/domain``), which stays the specification:
``compute_month`` (tier by ``width_bucket`` over the table's thresholds, which is ``bisect_right``; each
amount rounded once, half-up, never below 0) and ``split_payout`` (Bonus, then payment-method benefit, to
the open contribution; Fuel Bonus always in cash). tests/integration/test_bonus_close_pricing.py holds the
two to the same results. Each chunk writes its statements, its payout events (one per household with
something to pay) and its statement events (one per household) in the caller's transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import asyncpg
import orjson

from services.bonus.domain import TierTable
from shared.outbox import envelope_headers_sql

# The chunk's households with the cooperative whose table applies: the household's cooperative from the
# month of a transfer on (the whole month counts in the new one); before the membership service has told,
# the cooperative its cards were ordered under. $1 month, $2 after (exclusive), $3 upper (inclusive).
CHUNK = """
    SELECT a.household_id, a.month, a.bonus_cents, a.double_cents, a.fuel_cents, a.fuel_millilitres,
           a.payment_method_cents, a.receipts,
           CASE WHEN date_trunc('month', h.cooperative_from AT TIME ZONE 'Europe/Helsinki')::date <= a.month
                THEN h.cooperative_id ELSE a.cooperative_id END AS cooperative_id,
           coalesce(h.open_contribution_cents, 0) AS open_contribution_cents
    FROM accruals a
    LEFT JOIN households h ON h.household_id = a.household_id AND h.household_id > $2 AND h.household_id <= $3
    WHERE a.month = $1 AND a.household_id > $2 AND a.household_id <= $3"""

NEXT_CHUNK = f"""
    WITH keys AS (SELECT household_id FROM accruals WHERE month = $1 AND household_id > $2
                  ORDER BY household_id LIMIT $3),
         bounds AS (SELECT max(household_id) AS upper, count(*) AS households FROM keys)
    SELECT bounds.upper, bounds.households,
           (SELECT array_agg(DISTINCT c.cooperative_id) FROM ({CHUNK.replace("$3", "bounds.upper")}) c)
               AS cooperatives
    FROM bounds"""

# $4 the tier tables by cooperative (tables_json), $5 due date, $6 event time, $7 payment-method benefit
# rate, $8 month label; $9/$10 payouts topic and event type, $11/$13 statements topic and type, $12 source.
PRICE_CHUNK = """
WITH chunk AS (""" + CHUNK + """),
tables AS (
    SELECT * FROM jsonb_to_recordset($4::jsonb)
        AS t(cooperative_id text, name text, version text, thresholds bigint[], rates integer[])
),
rated AS (
    SELECT c.*, t.name AS tier_table, t.version AS table_version,
           c.bonus_cents + c.double_cents + c.fuel_cents AS tier_total_cents,
           coalesce(t.rates[width_bucket(c.bonus_cents + c.double_cents + c.fuel_cents, t.thresholds)], 0)
               AS rate_bp
    FROM chunk c JOIN tables t USING (cooperative_id)
),
earned AS (
    SELECT r.*,
           greatest(0, round_half_up(r.rate_bp * (r.bonus_cents + 2 * r.double_cents), 10000)) AS bonus_earned,
           greatest(0, round_half_up(r.rate_bp * r.fuel_millilitres, 100000)) AS fuel_bonus_earned,
           greatest(0, round_half_up($7::bigint * r.payment_method_cents, 10000)) AS benefit_earned
    FROM rated r
),
to_fee AS (
    SELECT e.*, least(e.bonus_earned, e.open_contribution_cents) AS bonus_to_fee FROM earned e
),
split AS (
    SELECT f.*, least(f.benefit_earned, f.open_contribution_cents - f.bonus_to_fee) AS benefit_to_fee
    FROM to_fee f
),
members AS (
    SELECT household_id, '[' || string_agg('{"person_id":' || to_json(person_id)::text || ',"receipts":' || receipts
                                           || ',"bonus_eligible_cents":' || bonus_eligible_cents || '}', ','
                                           ORDER BY person_id) || ']' AS members
    FROM accrual_members WHERE month = $1 AND household_id > $2 AND household_id <= $3
    GROUP BY household_id
),
exclusions AS (
    SELECT household_id, '[' || string_agg('{"reason":' || to_json(reason)::text || ',"cents":' || cents || '}', ','
                                           ORDER BY reason) || ']' AS excluded
    FROM accrual_exclusions WHERE month = $1 AND household_id > $2 AND household_id <= $3
    GROUP BY household_id
),
final AS MATERIALIZED (
    SELECT s.*, s.bonus_to_fee + s.benefit_to_fee AS contribution_cents,
           s.bonus_earned - s.bonus_to_fee AS bonus_cash, s.benefit_earned - s.benefit_to_fee AS benefit_cash,
           coalesce(o.bonus_eligible_cents, 0) AS own_cooperative_eligible_cents,
           coalesce(m.members, '[]') AS members, coalesce(x.excluded, '[]') AS excluded
    FROM split s
    LEFT JOIN accrual_outlet_cooperatives o
           ON o.month = $1 AND o.household_id > $2 AND o.household_id <= $3
          AND o.household_id = s.household_id AND o.outlet_cooperative_id = s.cooperative_id
    LEFT JOIN members m ON m.household_id = s.household_id
    LEFT JOIN exclusions x ON x.household_id = s.household_id
),
written AS (
    INSERT INTO statements (household_id, month, cooperative_id, tier_table, table_version, rate_bp,
                            tier_total_cents, bonus_cents, fuel_bonus_cents, payment_method_benefit_cents,
                            contribution_cents, own_cooperative_eligible_cents, payouts)
    SELECT household_id, month, cooperative_id, tier_table, table_version, rate_bp, tier_total_cents,
           bonus_earned, fuel_bonus_earned, benefit_earned, contribution_cents, own_cooperative_eligible_cents,
           (bonus_earned + fuel_bonus_earned + benefit_earned > 0)::int
    FROM final
    RETURNING 1
),
payouts AS (
    INSERT INTO outbox (topic, key, value, headers)
    SELECT $9, convert_to(household_id, 'UTF8'),
           convert_to('{"payout_id":' || to_json(household_id || ':' || $8)::text
               || ',"household_id":' || to_json(household_id)::text || ',"month":"' || $8 || '","rate_bp":' || rate_bp
               || ',"due_on":"' || $5::text || '","currency":"EUR","transactions":[' || concat_ws(',',
                   CASE WHEN bonus_cash <> 0 THEN '{"kind":"bonus","amount_cents":' || bonus_cash || '}' END,
                   CASE WHEN benefit_cash <> 0
                        THEN '{"kind":"payment_method_benefit","amount_cents":' || benefit_cash || '}' END,
                   CASE WHEN fuel_bonus_earned <> 0
                        THEN '{"kind":"fuel_bonus","amount_cents":' || fuel_bonus_earned || '}' END)
               || '],"contribution_cents":' || contribution_cents || '}', 'UTF8'),
           """ + envelope_headers_sql(id="'payout:' || household_id || ':' || $8", source="$12::text",
                                      type="$10::text", time="$6::text", subject="household_id") + """
    FROM final WHERE bonus_earned + fuel_bonus_earned + benefit_earned > 0
    RETURNING 1
),
statement_events AS (
    INSERT INTO outbox (topic, key, value, headers)
    SELECT $11, convert_to(household_id, 'UTF8'),
           convert_to('{"statement_id":' || to_json('statement:' || household_id || ':' || $8)::text
               || ',"household_id":' || to_json(household_id)::text || ',"month":"' || $8
               || '","cooperative_id":' || to_json(cooperative_id)::text
               || ',"table_version":' || to_json(table_version)::text || ',"rate_bp":' || rate_bp
               || ',"tier_total_cents":' || tier_total_cents || ',"bonus_eligible_cents":' || bonus_cents + double_cents
               || ',"own_cooperative_eligible_cents":' || own_cooperative_eligible_cents
               || ',"fuel_cents":' || fuel_cents || ',"fuel_millilitres":' || fuel_millilitres
               || ',"payment_method_eligible_cents":' || payment_method_cents || ',"bonus_cents":' || bonus_earned
               || ',"fuel_bonus_cents":' || fuel_bonus_earned || ',"payment_method_benefit_cents":' || benefit_earned
               || ',"adjustment_cents":0,"receipts":' || receipts || ',"members":' || members
               || ',"excluded":' || excluded || '}', 'UTF8'),
           """ + envelope_headers_sql(id="'statement:' || household_id || ':' || $8", source="$12::text",
                                      type="$13::text", time="$6::text", subject="household_id",
                                      cooperative="cooperative_id") + """
    FROM final
    RETURNING 1
)
SELECT (SELECT count(*) FROM written) AS statements, (SELECT count(*) FROM payouts) AS payouts,
       (SELECT count(*) FROM statement_events) AS statement_events"""


@dataclass(frozen=True)
class Chunk:
    """The next households of a month to close: the key range (after, upper] and their cooperatives."""

    after: str
    upper: str
    households: int
    cooperatives: tuple[str, ...]


@dataclass(frozen=True)
class Publishing:
    """What the chunk's events carry besides the household's figures."""

    month_label: str
    due_on: date
    at: datetime
    payment_method_rate_bp: int
    payouts_topic: str
    payouts_type: str
    statements_topic: str
    statements_type: str
    source: str


@dataclass(frozen=True)
class ChunkWritten:
    statements: int
    payouts: int
    statement_events: int


async def next_chunk(conn: asyncpg.Connection, month: date, after: str, limit: int) -> Chunk | None:
    """The month's next `limit` households after `after` in key order; walking by key range keeps every
    chunk as cheap as the first, however many households the month has."""
    row = await conn.fetchrow(NEXT_CHUNK, month, after, limit)
    if not row["households"]:
        return None
    return Chunk(after, row["upper"], row["households"], tuple(row["cooperatives"]))


def tables_json(tables: dict[str, TierTable]) -> str:
    return orjson.dumps([
        {"cooperative_id": cooperative, "name": table.name, "version": table.version,
         "thresholds": [tier.threshold_cents for tier in table.tiers], "rates": [tier.rate_bp for tier in table.tiers]}
        for cooperative, table in tables.items()]).decode()


async def price_chunk(conn: asyncpg.Connection, month: date, chunk: Chunk, tables: dict[str, TierTable],
                      publishing: Publishing) -> ChunkWritten:
    """Price the chunk's households under `tables` (one per cooperative of the chunk); write statements and
    stage the payout and statement events."""
    p = publishing
    row = await conn.fetchrow(PRICE_CHUNK, month, chunk.after, chunk.upper, tables_json(tables), p.due_on.isoformat(),
                              p.at.isoformat(), p.payment_method_rate_bp, p.month_label, p.payouts_topic,
                              p.payouts_type, p.statements_topic, p.source, p.statements_type)
    return ChunkWritten(row["statements"], row["payouts"], row["statement_events"])
