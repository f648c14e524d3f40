"""PostgreSQL side of publishing a close: the statements written since the month's mark, and the mark.

The close writes a month's statements chunk by chunk in key order, one closer at a time, so the
statements after the mark that are visible are exactly the ones committed: whatever commits later has a
higher key. What a statement's events carry besides the statement — each member's share, the excluded
purchases by reason — is read from the month's accrual parts, which stop changing once the month is
closing (later purchases become adjustments) and lose an erased person's share.
"""
from __future__ import annotations

from datetime import date

import asyncpg

# Months with statements to publish, or closed and not yet announced.
PENDING_MONTHS = """
SELECT m.month, m.published_through FROM months m
WHERE (m.status = 'closed' AND m.announced_at IS NULL)
   OR (m.status = 'closing'
       AND EXISTS (SELECT 1 FROM statements s WHERE s.month = m.month AND s.household_id > m.published_through))
ORDER BY m.month"""

# Whether a month is closed with every statement and payout published and the close announced
# ({schema}: "bonus." from outside the schema).
MONTH_ANNOUNCED = "SELECT announced_at IS NOT NULL FROM {schema}months WHERE month = $1"

UPPER = """
SELECT max(household_id) FROM (SELECT household_id FROM statements WHERE month = $1 AND household_id > $2
                               ORDER BY household_id LIMIT $3) k"""

# $1 month, $2 after (exclusive), $3 upper (inclusive), $4 the month's label (YYYY-MM), $5 the payout's due
# date. The events' values are built where the rows are, in the contracts' field names (BonusPayout,
# BonusStatement with StatementMember and StatementExclusion): the payout, null when the month pays
# nothing, and the statement. Each statement's members and exclusions are looked up by its key rather
# than joined: the statements just written lie past the end of their table's statistics, so the planner
# estimates a key range of them at one row and may join a whole range of members to each statement
# (seen: single batches of 2,500 taking 13 s, most of a 2.6 M close's PostgreSQL time). A lookup per
# statement has no plan to get wrong.
STATEMENTS = """
SELECT s.household_id, s.cooperative_id, s.closed_at,
       CASE WHEN s.payouts > 0 THEN convert_to(
           '{"payout_id":' || to_json(s.household_id || ':' || $4)::text
           || ',"household_id":' || to_json(s.household_id)::text || ',"month":"' || $4 || '","rate_bp":' || s.rate_bp
           || ',"due_on":"' || $5 || '","currency":"EUR","transactions":[' || concat_ws(',',
               CASE WHEN s.bonus_cash_cents <> 0
                    THEN '{"kind":"bonus","amount_cents":' || s.bonus_cash_cents || '}' END,
               CASE WHEN s.payment_method_benefit_cash_cents <> 0
                    THEN '{"kind":"payment_method_benefit","amount_cents":' || s.payment_method_benefit_cash_cents
                         || '}' END,
               CASE WHEN s.fuel_bonus_cents <> 0
                    THEN '{"kind":"fuel_bonus","amount_cents":' || s.fuel_bonus_cents || '}' END)
           || '],"contribution_cents":' || s.contribution_cents || '}', 'UTF8') END AS payout,
       convert_to(
           '{"statement_id":' || to_json('statement:' || s.household_id || ':' || $4)::text
           || ',"household_id":' || to_json(s.household_id)::text || ',"month":"' || $4
           || '","cooperative_id":' || to_json(s.cooperative_id)::text
           || ',"table_version":' || to_json(s.table_version)::text || ',"rate_bp":' || s.rate_bp
           || ',"tier_total_cents":' || s.tier_total_cents || ',"bonus_eligible_cents":' || s.bonus_eligible_cents
           || ',"own_cooperative_eligible_cents":' || s.own_cooperative_eligible_cents
           || ',"fuel_cents":' || s.fuel_cents || ',"fuel_millilitres":' || s.fuel_millilitres
           || ',"payment_method_eligible_cents":' || s.payment_method_eligible_cents
           || ',"bonus_cents":' || s.bonus_cents || ',"fuel_bonus_cents":' || s.fuel_bonus_cents
           || ',"payment_method_benefit_cents":' || s.payment_method_benefit_cents
           || ',"adjustment_cents":0,"receipts":' || s.receipts
           || ',"members":' || coalesce((
               SELECT '[' || string_agg('{"person_id":' || to_json(m.person_id)::text || ',"receipts":' || m.receipts
                                        || ',"bonus_eligible_cents":' || m.bonus_eligible_cents || '}', ','
                                        ORDER BY m.person_id) || ']'
               FROM accrual_members m WHERE m.month = $1 AND m.household_id = s.household_id), '[]')
           || ',"excluded":' || coalesce((
               SELECT '[' || string_agg('{"reason":' || to_json(x.reason)::text || ',"cents":' || x.cents || '}', ','
                                        ORDER BY x.reason) || ']'
               FROM accrual_exclusions x WHERE x.month = $1 AND x.household_id = s.household_id), '[]')
           || '}', 'UTF8') AS statement
FROM statements s
WHERE s.month = $1 AND s.household_id > $2 AND s.household_id <= $3
ORDER BY s.household_id"""


async def pending_months(conn: asyncpg.Connection) -> list[tuple[date, str]]:
    """Months closing or closed with statements not yet published or the close not announced, and the
    mark of each."""
    return [(r["month"], r["published_through"]) for r in await conn.fetch(PENDING_MONTHS)]


async def statements_after(conn: asyncpg.Connection, month: date, after: str, limit: int,
                           label: str, due_on: str) -> list[asyncpg.Record]:
    """The month's next `limit` statements after household `after`, in key order: each household, its
    cooperative, the statement's time and the values of its payout (or None) and statement events."""
    upper = await conn.fetchval(UPPER, month, after, limit)
    return [] if upper is None else await conn.fetch(STATEMENTS, month, after, upper, label, due_on)


async def mark_published(conn: asyncpg.Connection, month: date, through: str) -> None:
    await conn.execute("UPDATE months SET published_through = $2 WHERE month = $1 AND published_through < $2",
                       month, through)
