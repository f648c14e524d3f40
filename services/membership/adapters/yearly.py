"""PostgreSQL side of the yearly runs: who was a member at a year's end (in chunks of person ids), how far a
run got, what was paid, what was refunded."""
from __future__ import annotations

from datetime import date, datetime

import asyncpg

from shared.db import Connection, one_row

MEMBERS_AT = """
SELECT m.membership_id, m.person_id, m.contribution_id, hh.household_id,
       coalesce((SELECT sum(s.own_cooperative_eligible_cents) FROM bonus_statements s
                 WHERE s.household_id = hh.household_id AND s.cooperative_id = $1
                   AND s.month >= $3 AND s.month < $4), 0) AS own_cooperative_purchases_cents
FROM memberships m
LEFT JOIN LATERAL (SELECT h.household_id FROM households h
                   WHERE h.main_person_id = m.person_id AND h.founded_at <= $2
                     AND (h.dissolved_at IS NULL OR h.dissolved_at > $2)
                   ORDER BY h.founded_at DESC LIMIT 1) hh ON true
WHERE m.cooperative_id = $1 AND m.started_at <= $2 AND (m.ended_at IS NULL OR m.ended_at > $2)
  AND m.person_id > $5
ORDER BY m.person_id LIMIT $6"""


async def members_at(conn: Connection, cooperative_id: str, at: datetime, statements_from: date,
                     statements_until: date, after_person_id: str, limit: int) -> list[asyncpg.Record]:
    """The next `limit` memberships of the cooperative active at `at` (the year's end), by person id after
    `after_person_id`, each with the household the member then headed and that household's Bonus purchases
    at the cooperative's outlets in the statements of months [statements_from, statements_until)."""
    return await conn.fetch(MEMBERS_AT, cooperative_id, at, statements_from, statements_until, after_person_id,
                            limit)


async def progress(conn: Connection, financial_year: int, cooperative_id: str) -> asyncpg.Record:
    """The cooperative's run of the year (made when missing), locked until commit: one walker at a time."""
    await conn.execute("INSERT INTO yearly_run_progress (financial_year, cooperative_id) VALUES ($1, $2)"
                       " ON CONFLICT DO NOTHING", financial_year, cooperative_id)
    return await one_row(conn, "SELECT * FROM yearly_run_progress WHERE financial_year = $1 AND cooperative_id = $2"
                               " FOR UPDATE", financial_year, cooperative_id)


async def restart(conn: Connection, financial_year: int, cooperative_id: str) -> asyncpg.Record:
    return await one_row(
        conn, "UPDATE yearly_run_progress SET after_person_id = '', chunks = 0, started_at = now(), completed_at = NULL"
        " WHERE financial_year = $1 AND cooperative_id = $2 RETURNING *", financial_year, cooperative_id)


async def complete(conn: Connection, financial_year: int, cooperative_id: str) -> None:
    await conn.execute("UPDATE yearly_run_progress SET completed_at = now() WHERE financial_year = $1"
                       " AND cooperative_id = $2", financial_year, cooperative_id)


async def advance(conn: Connection, financial_year: int, cooperative_id: str, after_person_id: str) -> None:
    await conn.execute("UPDATE yearly_run_progress SET after_person_id = $3, chunks = chunks + 1"
                       " WHERE financial_year = $1 AND cooperative_id = $2", financial_year, cooperative_id,
                       after_person_id)


async def record_benefit(conn: Connection, person_id: str, financial_year: int, kind: str,
                         membership_id: str, household_id: str | None, cooperative_id: str, cents: int,
                         paid_on: date) -> bool:
    """Record the benefit once per member, year and kind; False when it was recorded before."""
    row = await conn.fetchrow(
        "INSERT INTO yearly_benefits (person_id, financial_year, kind, membership_id, household_id, cooperative_id,"
        " amount_cents, paid_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING kind",
        person_id, financial_year, kind, membership_id, household_id, cooperative_id, cents, paid_on)
    return row is not None


async def tax_report_rows(conn: Connection, year: int) -> list[asyncpg.Record]:
    """Per person: interest paid and capital refunded in the calendar year."""
    return await conn.fetch("""
        WITH interest AS (SELECT person_id, sum(amount_cents) AS cents FROM yearly_benefits
                          WHERE kind = 'interest' AND extract(year FROM paid_on) = $1 GROUP BY person_id),
             refunds AS (SELECT c.person_id, sum(p.amount_cents) AS cents FROM contribution_payments p
                         JOIN contributions c USING (contribution_id)
                         WHERE p.source = 'refund' AND extract(year FROM p.paid_on) = $1 GROUP BY c.person_id)
        SELECT p.person_id, p.customer_number, p.identity_code_encrypted,
               coalesce(i.cents, 0) AS interest_cents, coalesce(r.cents, 0) AS refunded_cents
        FROM persons p LEFT JOIN interest i USING (person_id) LEFT JOIN refunds r USING (person_id)
        WHERE i.cents IS NOT NULL OR r.cents IS NOT NULL
        ORDER BY p.customer_number""", year)
