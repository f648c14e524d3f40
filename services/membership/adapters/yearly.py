"""PostgreSQL side of the yearly runs: who was a member at a year's end, what was paid, what was refunded."""
from __future__ import annotations

from datetime import date, datetime

import asyncpg


async def members_at(conn: asyncpg.Connection, cooperative_id: str, at: datetime) -> list[asyncpg.Record]:
    """Memberships of the cooperative active at `at`, with the household the member then headed."""
    return await conn.fetch("""
        SELECT m.membership_id, m.person_id, m.contribution_id,
               (SELECT h.household_id FROM households h WHERE h.main_person_id = m.person_id
                  AND h.founded_at <= $2 AND (h.dissolved_at IS NULL OR h.dissolved_at > $2)
                ORDER BY h.founded_at DESC LIMIT 1) AS household_id
        FROM memberships m
        WHERE m.cooperative_id = $1 AND m.started_at <= $2 AND (m.ended_at IS NULL OR m.ended_at > $2)
        ORDER BY m.person_id""", cooperative_id, at)


async def record_benefit(conn: asyncpg.Connection, person_id: str, financial_year: int, kind: str,
                         membership_id: str, household_id: str | None, cooperative_id: str, cents: int,
                         paid_on: date) -> bool:
    """Record the benefit once per member, year and kind; False when it was recorded before."""
    row = await conn.fetchrow(
        "INSERT INTO yearly_benefits (person_id, financial_year, kind, membership_id, household_id, cooperative_id,"
        " amount_cents, paid_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING kind",
        person_id, financial_year, kind, membership_id, household_id, cooperative_id, cents, paid_on)
    return row is not None


async def tax_report_rows(conn: asyncpg.Connection, year: int) -> list[asyncpg.Record]:
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
