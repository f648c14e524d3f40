"""The month close priced set-based: one chunk of households (a key range) in a few statements.

The SQL is a transcription of the pure domain (``services/bonus/domain``), which stays the specification:
``compute_month`` (tier by ``width_bucket`` over the table's thresholds, which is ``bisect_right``; each
amount rounded once, half-up, never below 0) and ``split_payout`` (Bonus, then payment-method benefit, to
the open contribution; Fuel Bonus always in cash). tests/integration/test_bonus_close_pricing.py holds the
two to the same results. Each chunk writes one statement per household in the caller's transaction; the
statements are then published as they are (close_publishing.py), so a statement and its events never
disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import orjson

from services.bonus.domain import TierTable
from shared.db import Connection, changed, one_row

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

NEXT_CHUNK = """
    SELECT max(household_id) AS upper, count(*) AS households
    FROM (SELECT household_id FROM accruals WHERE month = $1 AND household_id > $2 ORDER BY household_id LIMIT $3) k"""

# $4 the month's tier tables (tables_json): the cooperatives' own, and the common one (cooperative_id
# null) for every other; $5 the payment-method benefit rate. The planner folds simple subqueries into
# the one above, expressions and all: the rate (a width_bucket over the table) and each amount would be
# computed again wherever they are used, a dozen times a row. OFFSET 0 keeps a subquery whole, so each
# is computed once per row (a close's pricing: ≈ 21 → 16 µs a household).
PRICE_CHUNK = """
WITH chunk AS (""" + CHUNK + """),
tables AS (
    SELECT * FROM jsonb_to_recordset($4::jsonb)
        AS t(cooperative_id text, name text, version text, thresholds bigint[], rates integer[])
),
tabled AS (
    SELECT c.*, coalesce(t.name, common.name) AS tier_table, coalesce(t.version, common.version) AS table_version,
           coalesce(t.thresholds, common.thresholds) AS thresholds, coalesce(t.rates, common.rates) AS rates
    FROM chunk c LEFT JOIN tables t USING (cooperative_id)
    LEFT JOIN (SELECT * FROM tables WHERE cooperative_id IS NULL) common ON true
    WHERE t.name IS NOT NULL OR common.name IS NOT NULL  -- without a table, not priced (the chunk fails)
),
rated AS (
    SELECT c.*, c.bonus_cents + c.double_cents + c.fuel_cents AS tier_total_cents,
           coalesce(c.rates[width_bucket(c.bonus_cents + c.double_cents + c.fuel_cents, c.thresholds)], 0) AS rate_bp
    FROM tabled c OFFSET 0  -- a fence: each row's rate once (see above)
),
earned AS (
    SELECT r.*,
           greatest(0, round_half_up(r.rate_bp * (r.bonus_cents + 2 * r.double_cents), 10000)) AS bonus_earned,
           greatest(0, round_half_up(r.rate_bp * r.fuel_millilitres, 100000)) AS fuel_bonus_earned,
           greatest(0, round_half_up($5::bigint * r.payment_method_cents, 10000)) AS benefit_earned
    FROM rated r OFFSET 0  -- and each amount once
),
to_fee AS (
    SELECT e.*, least(e.bonus_earned, e.open_contribution_cents) AS bonus_to_fee FROM earned e
),
split AS (
    SELECT f.*, least(f.benefit_earned, f.open_contribution_cents - f.bonus_to_fee) AS benefit_to_fee
    FROM to_fee f
)
INSERT INTO statements (household_id, month, cooperative_id, tier_table, table_version, rate_bp, tier_total_cents,
                        bonus_cents, fuel_bonus_cents, payment_method_benefit_cents, contribution_cents,
                        own_cooperative_eligible_cents, payouts, bonus_eligible_cents, fuel_cents, fuel_millilitres,
                        payment_method_eligible_cents, receipts, bonus_cash_cents, payment_method_benefit_cash_cents)
SELECT s.household_id, s.month, s.cooperative_id, s.tier_table, s.table_version, s.rate_bp, s.tier_total_cents,
       s.bonus_earned, s.fuel_bonus_earned, s.benefit_earned, s.bonus_to_fee + s.benefit_to_fee,
       coalesce(o.bonus_eligible_cents, 0), (s.bonus_earned + s.fuel_bonus_earned + s.benefit_earned > 0)::int,
       s.bonus_cents + s.double_cents, s.fuel_cents, s.fuel_millilitres, s.payment_method_cents, s.receipts,
       s.bonus_earned - s.bonus_to_fee, s.benefit_earned - s.benefit_to_fee
FROM split s
LEFT JOIN accrual_outlet_cooperatives o
       ON o.month = $1 AND o.household_id > $2 AND o.household_id <= $3
      AND o.household_id = s.household_id AND o.outlet_cooperative_id = s.cooperative_id"""


@dataclass(frozen=True)
class Chunk:
    """The next households of a month to close: the key range (after, upper]."""

    after: str
    upper: str
    households: int


async def next_chunk(conn: Connection, month: date, after: str, limit: int) -> Chunk | None:
    """The month's next `limit` households after `after` in key order; walking by key range keeps every
    chunk as cheap as the first, however many households the month has."""
    row = await one_row(conn, NEXT_CHUNK, month, after, limit)
    if not row["households"]:
        return None
    return Chunk(after, row["upper"], row["households"])


def tables_json(own: dict[str, TierTable], common: TierTable | None) -> str:
    """The month's tables as the pricing reads them: the common one (if any) under no cooperative."""
    return orjson.dumps([
        {"cooperative_id": cooperative, "name": table.name, "version": table.version,
         "thresholds": [tier.threshold_cents for tier in table.tiers], "rates": [tier.rate_bp for tier in table.tiers]}
        for cooperative, table in [*own.items(), (None, common)] if table is not None]).decode()


async def cooperatives_of(conn: Connection, month: date, chunk: Chunk) -> list[str]:
    """The cooperatives whose tables price the chunk's households (to name one without a table)."""
    return await conn.fetchval(f"SELECT array_agg(DISTINCT c.cooperative_id) FROM ({CHUNK}) c",
                               month, chunk.after, chunk.upper)


async def price_chunk(conn: Connection, month: date, chunk: Chunk, tables: str,
                      payment_method_rate_bp: int) -> int:
    """Price the chunk's households under the month's `tables` (tables_json) and write their statements;
    how many were written. Their events are published from the statements (close_publishing)."""
    return await changed(conn, PRICE_CHUNK, month, chunk.after, chunk.upper, tables, payment_method_rate_bp)
