"""PostgreSQL side of publishing a close: the statements written since a month's marks, and the marks.

A close's events are two feeds read from the statements in key order, each behind a mark of the month's
own: the payouts, and the statements once every payout of the month is out. The close writes a month's
statements chunk by chunk in key order, one closer at a time, so the statements after a mark that are
visible are exactly the ones committed: whatever commits later has a higher key. What a statement's
event carries besides the statement — each member's share, the excluded purchases by reason — is read
from the month's accrual parts, which stop changing once the month is closing (later purchases become
adjustments) and lose an erased person's share.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

import asyncpg

from contracts.events.bonus import BonusPayout, BonusStatement, PayoutTransaction, StatementExclusion, StatementMember
from shared.db import Connection, one_row
from shared.event_sql import Const, Elements, Json, Listed, When, json_list_agg, json_sql, json_sql_split

# The last household of the month, in key order, with a statement ({schema}: "bonus." from outside it).
LAST_STATEMENT = "coalesce((SELECT max(household_id) FROM {schema}statements WHERE month = m.month), '')"

# Whether the month is closed with every payout published ({schema}: as above).
PAYOUTS_DONE = "m.status = 'closed' AND m.payouts_published_through = " + LAST_STATEMENT
PAYOUTS_PUBLISHED = "SELECT " + PAYOUTS_DONE + " FROM {schema}months m WHERE m.month = $1"

# Months with payouts or statements to publish, or closed and not yet announced.
PENDING_MONTHS = """
SELECT m.month, m.payouts_published_through, m.statements_published_through,
       """ + PAYOUTS_DONE.format(schema="") + """ AS payouts_done
FROM months m
WHERE (m.status = 'closed' AND m.announced_at IS NULL)
   OR (m.status = 'closing'
       AND EXISTS (SELECT 1 FROM statements s WHERE s.month = m.month AND s.household_id > m.payouts_published_through))
ORDER BY m.month"""

# Whether a month is closed with every statement and payout published and the close announced
# ({schema}: as above).
MONTH_ANNOUNCED = "SELECT announced_at IS NOT NULL FROM {schema}months WHERE month = $1"

# The next batch of a month's statements after a mark: its last household and how many it holds.
NEXT_BATCH = """
SELECT max(household_id) AS through, count(*) AS statements
FROM (SELECT household_id FROM statements WHERE month = $1 AND household_id > $2 ORDER BY household_id LIMIT $3) k"""

# A batch's events come back as one row per statement time (a close chunk's statements share theirs): the
# households, their cooperatives (or null) and the events' values joined by RS, 0x1e, which JSON never
# holds unescaped, in no particular order. asyncpg builds a record for every row it reads, which cost the
# publisher more than all its other work on a batch: reading a 2.6 M close's payouts took ≈ 9.5 CPU-s of
# Python and 12 of PostgreSQL one row a statement, and ≈ 3 and 14 grouped.
RECORD_SEPARATOR = b"\x1e"


def _grouped(events: str, cooperatives: str = "NULL::text[]") -> str:
    """`events` (household_id, closed_at, value, ...) grouped by statement time, as above."""
    return f"""
SELECT e.closed_at, array_agg(e.household_id) AS households, {cooperatives} AS cooperatives,
       string_agg(e.value, '\\x1e'::bytea) AS "values"
FROM ({events} OFFSET 0) e
GROUP BY e.closed_at"""


# $1 month, $2 after (exclusive), $3 through (inclusive), $4 the month's label (YYYY-MM), $5 the payout's
# due date. The events' values are built where the rows are (shared/event_sql.py): the payout (BonusPayout)
# of each statement that pays anything, in cash or to the open contribution, in two parts: its body up to
# the benefit account (PAYOUT_BODY, kept as it is while the payout is held) and the account and closing
# brace (WITH_ACCOUNT, of household_accounts h).
PAYOUT_BODY, WITH_ACCOUNT = json_sql_split(BonusPayout, {
    "payout_id": "s.household_id || ':' || $4",
    "household_id": "s.household_id",
    "month": "$4",
    "rate_bp": "s.rate_bp",
    "due_on": "$5",
    "transactions": Elements(PayoutTransaction, [
        When(f"s.{cents} <> 0", {"kind": Const(kind), "amount_cents": f"s.{cents}"})
        for kind, cents in (("bonus", "bonus_cash_cents"),
                            ("payment_method_benefit", "payment_method_benefit_cash_cents"),
                            ("fuel_bonus", "fuel_bonus_cents"))]),
    "contribution_cents": "s.contribution_cents",
    "benefit_account": Json("h.benefit_account"),
}, at="benefit_account")
PAYING = "s.month = $1 AND s.household_id > $2 AND s.household_id <= $3 AND s.payouts > 0"

# The payouts of a batch's households with no benefit account are held (held_payouts), in the same
# transaction as the batch's payouts are read: a household is either published or held, never both nor
# neither, whenever its account arrives. Arguments as PAYOUTS.
HOLD_PAYOUTS = f"""
INSERT INTO held_payouts (payout_id, household_id, body, cash_cents, published_at)
SELECT s.household_id || ':' || $4, s.household_id, {PAYOUT_BODY},
       s.bonus_cash_cents + s.payment_method_benefit_cash_cents + s.fuel_bonus_cents, s.closed_at
FROM statements s LEFT JOIN household_accounts h USING (household_id)
WHERE {PAYING} AND h.benefit_account IS NULL
ON CONFLICT (payout_id) DO NOTHING"""

PAYOUTS = _grouped(f"""
SELECT s.household_id, s.closed_at,
       convert_to({PAYOUT_BODY} || {WITH_ACCOUNT}, 'UTF8') AS value
FROM statements s JOIN household_accounts h USING (household_id)
WHERE {PAYING} AND h.benefit_account IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM held_payouts p WHERE p.payout_id = s.household_id || ':' || $4)""")

# $1 month, $2 after (exclusive), $3 through (inclusive), $4 the month's label (YYYY-MM): the statement
# (BonusStatement with StatementMember and StatementExclusion). The batch's members and exclusions are grouped
# by household once each and merge-joined to the statements, all three read in key order (a subquery per
# statement cost 12.5 µs of backend CPU a household, this 9.2: the same 200,000 statements, byte for byte).
# The statements just written lie past the end of their table's statistics, so the planner estimates a key
# range of them at one row and would choose a nested loop, grouping the batch's members again for every
# statement: STATEMENTS_PLAN rules that out for the statement's transaction.
IN_BATCH = "month = $1 AND household_id > $2 AND household_id <= $3"
STATEMENT = json_sql(BonusStatement, {
    "statement_id": "'statement:' || s.household_id || ':' || $4",
    "household_id": "s.household_id",
    "month": "$4",
    **{name: f"s.{name}" for name in (
        "cooperative_id", "table_version", "rate_bp", "tier_total_cents", "bonus_eligible_cents",
        "own_cooperative_eligible_cents", "fuel_cents", "fuel_millilitres", "payment_method_eligible_cents",
        "bonus_cents", "fuel_bonus_cents", "payment_method_benefit_cents")},
    "receipts": "s.receipts",
    "members": Listed(StatementMember, "m.members"),
    "excluded": Listed(StatementExclusion, "x.excluded"),
})
MEMBERS = json_list_agg(StatementMember, {"person_id": "person_id", "receipts": "receipts",
                                          "bonus_eligible_cents": "bonus_eligible_cents"}, order_by="person_id")
EXCLUDED = json_list_agg(StatementExclusion, {"reason": "reason", "cents": "cents"}, order_by="reason")
STATEMENTS = _grouped(f"""
SELECT s.household_id, s.cooperative_id, s.closed_at, convert_to({STATEMENT}, 'UTF8') AS value
FROM statements s
LEFT JOIN (SELECT household_id, {MEMBERS} AS members FROM accrual_members WHERE {IN_BATCH}
           GROUP BY household_id) m USING (household_id)
LEFT JOIN (SELECT household_id, {EXCLUDED} AS excluded FROM accrual_exclusions WHERE {IN_BATCH}
           GROUP BY household_id) x USING (household_id)
WHERE s.month = $1 AND s.household_id > $2 AND s.household_id <= $3""", cooperatives="array_agg(e.cooperative_id)")
STATEMENTS_PLAN = "SET LOCAL enable_nestloop = off"


@dataclass(frozen=True)
class PendingMonth:
    """A month with something of its close to publish: how far each feed is, and whether every payout
    of the closed month is out (so its statements go next)."""

    month: date
    payouts_published_through: str
    statements_published_through: str
    payouts_done: bool


async def pending_months(conn: Connection) -> list[PendingMonth]:
    """Months closing or closed with payouts or statements not yet published or the close not announced."""
    return [PendingMonth(*row) for row in await conn.fetch(PENDING_MONTHS)]


@dataclass(frozen=True)
class Batch:
    """The next statements of a month after a mark: the last of them (the mark moves there once they are
    published), how many, and their events grouped by statement time (rows of closed_at, households,
    cooperatives, values; see _grouped)."""

    through: str
    statements: int
    groups: list[asyncpg.Record]


async def _next_batch(conn: Connection, query: str, month: date, after: str, limit: int,
                      *args) -> Batch | None:
    through, statements = await one_row(conn, NEXT_BATCH, month, after, limit)
    if through is None:
        return None
    return Batch(through, statements, await conn.fetch(query, month, after, through, *args))


async def payouts_after(conn: Connection, month: date, after: str, limit: int, label: str,
                        due_on: str) -> Batch | None:
    """The month's next `limit` statements after household `after`, in key order, with the payouts of
    those that pay anything and have a benefit account; the others' payouts are held. None when there are none."""
    async with conn.transaction():
        through, statements = await one_row(conn, NEXT_BATCH, month, after, limit)
        if through is None:
            return None
        await conn.execute(HOLD_PAYOUTS, month, after, through, label, due_on)
        return Batch(through, statements, await conn.fetch(PAYOUTS, month, after, through, label, due_on))


# Held payouts whose household has a benefit account now: each published with it, then marked released.
RELEASABLE = f"""
SELECT p.payout_id, p.household_id, p.published_at, p.body || {WITH_ACCOUNT} AS value
FROM held_payouts p JOIN household_accounts h USING (household_id)
WHERE p.released_at IS NULL AND h.benefit_account IS NOT NULL
ORDER BY p.payout_id LIMIT $1 FOR UPDATE OF p SKIP LOCKED"""


async def releasable(conn: Connection, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(RELEASABLE, limit)


class HeldPayout(NamedTuple):
    """A payout held for want of the household's benefit account, as `held_payouts` keeps it."""

    payout_id: str
    household_id: str
    body: str  # the payout's JSON without its account and closing brace: the account is added on release
    cash_cents: int
    published_at: datetime  # the payout event's time, which its release keeps


async def hold(conn: Connection, rows: list[HeldPayout]) -> None:
    await conn.executemany("INSERT INTO held_payouts (payout_id, household_id, body, cash_cents, published_at)"
                           " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (payout_id) DO NOTHING", rows)


async def mark_released(conn: Connection, payout_ids: list[str]) -> None:
    await conn.execute("UPDATE held_payouts SET released_at = now() WHERE payout_id = ANY($1::text[])", payout_ids)


async def held_totals(conn: Connection) -> asyncpg.Record:
    """What is held now: payouts, households, cash, and the oldest hold."""
    return await one_row(
        conn, "SELECT count(*) AS payouts, count(DISTINCT household_id) AS households,"
        " coalesce(sum(cash_cents), 0) AS cash_cents, min(held_at) AS oldest FROM held_payouts"
        " WHERE released_at IS NULL")


async def accounts_of(conn: Connection, household_ids: list[str]) -> dict[str, str]:
    """The households' benefit accounts (as JSON text), of those that have one."""
    rows = await conn.fetch("SELECT household_id, benefit_account::text AS account FROM household_accounts"
                            " WHERE household_id = ANY($1::text[]) AND benefit_account IS NOT NULL", household_ids)
    return {r["household_id"]: r["account"] for r in rows}


async def statements_after(conn: Connection, month: date, after: str, limit: int,
                           label: str) -> Batch | None:
    """The month's next `limit` statements after household `after`, in key order, as statement events;
    None when there are none."""
    async with conn.transaction():
        await conn.execute(STATEMENTS_PLAN)
        return await _next_batch(conn, STATEMENTS, month, after, limit, label)


MARKS = {"payouts": "payouts_published_through", "statements": "statements_published_through"}


async def mark_published(conn: Connection, month: date, feed: str, through: str) -> None:
    """Move the month's mark of a feed ("payouts" or "statements") past `through`."""
    mark = MARKS[feed]
    await conn.execute(f"UPDATE months SET {mark} = $2 WHERE month = $1 AND {mark} < $2", month, through)
