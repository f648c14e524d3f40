"""PostgreSQL repository of memberships, capital contributions with their payments, and benefit accounts."""
from __future__ import annotations

from datetime import date, datetime

import asyncpg

from shared.db import Connection, one_row


async def next_member_serial(conn: Connection) -> int:
    return await conn.fetchval("SELECT nextval('member_number_serials')")


async def insert_contribution(conn: Connection, contribution_id: str, person_id: str, *, full_cents: int,
                              minimum_first_payment_cents: int, deadline_months: int, started_on: date) -> bool:
    row = await conn.fetchrow(
        "INSERT INTO contributions (contribution_id, person_id, full_cents, minimum_first_payment_cents,"
        " deadline_months, started_on) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
        " RETURNING contribution_id", contribution_id, person_id, full_cents, minimum_first_payment_cents,
        deadline_months, started_on)
    return row is not None


async def contribution(conn: Connection, contribution_id: str) -> asyncpg.Record:
    return await one_row(conn, "SELECT * FROM contributions WHERE contribution_id = $1", contribution_id)


async def payments(conn: Connection, contribution_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT amount_cents, paid_on, source FROM contribution_payments"
                            " WHERE contribution_id = $1 ORDER BY paid_at, recorded_at", contribution_id)


async def contributions_with_payments(conn: Connection,
                                      contribution_ids: list[str]) -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
    """Many contributions and all their payments in two queries (the yearly runs load a chunk at a time)."""
    rows = await conn.fetch("SELECT * FROM contributions WHERE contribution_id = ANY($1::text[])", contribution_ids)
    paid = await conn.fetch("SELECT contribution_id, amount_cents, paid_on, source FROM contribution_payments"
                            " WHERE contribution_id = ANY($1::text[]) ORDER BY paid_at, recorded_at",
                            contribution_ids)
    return rows, paid


async def add_payment(conn: Connection, payment_id: str, contribution_id: str, amount_cents: int,
                      source: str, paid_at: datetime, paid_on: date, excess_cents: int = 0) -> bool:
    """Book a payment once by its id; False when the id was booked before."""
    row = await conn.fetchrow(
        "INSERT INTO contribution_payments (payment_id, contribution_id, amount_cents, source, paid_at, paid_on,"
        " excess_cents) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING payment_id",
        payment_id, contribution_id, amount_cents, source, paid_at, paid_on, excess_cents)
    return row is not None


async def payment_exists(conn: Connection, payment_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM contribution_payments WHERE payment_id = $1)",
                               payment_id)


async def set_fully_paid(conn: Connection, contribution_id: str, on: date | None) -> None:
    await conn.execute("UPDATE contributions SET fully_paid_on = $2 WHERE contribution_id = $1",
                       contribution_id, on)


async def insert_membership(conn: Connection, *, membership_id: str, person_id: str, cooperative_id: str,
                            member_number: str, started_at: datetime, joining_outlet: str | None,
                            contribution_id: str, transferred_from: str | None = None) -> bool:
    row = await conn.fetchrow(
        "INSERT INTO memberships (membership_id, person_id, cooperative_id, member_number, status, started_at,"
        " joining_outlet, contribution_id, transferred_from) VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8)"
        " ON CONFLICT DO NOTHING RETURNING membership_id", membership_id, person_id, cooperative_id,
        member_number, started_at, joining_outlet, contribution_id, transferred_from)
    return row is not None


async def active_of(conn: Connection, person_id: str) -> asyncpg.Record | None:
    """The person's active membership, locked until commit."""
    return await conn.fetchrow("SELECT * FROM memberships WHERE person_id = $1 AND status = 'active' FOR UPDATE",
                               person_id)


async def end(conn: Connection, membership_id: str, status: str, ended_at: datetime) -> None:
    await conn.execute("UPDATE memberships SET status = $2, ended_at = $3 WHERE membership_id = $1",
                       membership_id, status, ended_at)


async def overdue_candidates(conn: Connection, today: date, after_person_id: str,
                             limit: int) -> list[str]:
    """The next `limit` persons (by id, after `after_person_id`) with an active membership whose contribution's
    deadline has passed without full payment."""
    rows = await conn.fetch("""
        SELECT m.person_id FROM memberships m JOIN contributions c USING (contribution_id)
        WHERE m.status = 'active' AND c.fully_paid_on IS NULL
          AND c.started_on + make_interval(months => c.deadline_months) < $1 AND m.person_id > $2
        ORDER BY m.person_id LIMIT $3""", today, after_person_id, limit)
    return [r["person_id"] for r in rows]


async def add_benefit_account(conn: Connection, person_id: str, *, encrypted: bytes, token: str,
                              last_four: str, account_type: str, valid_from: datetime,
                              sealed: bytes | None = None, account_ref: str | None = None,
                              source: str = "customer") -> None:
    await conn.execute("UPDATE benefit_accounts SET valid_to = $2 WHERE person_id = $1 AND valid_to IS NULL",
                       person_id, valid_from)
    await conn.execute(
        "INSERT INTO benefit_accounts (person_id, iban_encrypted, iban_token, last_four, account_type, valid_from,"
        " iban_sealed, account_ref, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        person_id, encrypted, token, last_four, account_type, valid_from, sealed, account_ref, source)


async def current_benefit_account(conn: Connection, person_id: str) -> asyncpg.Record | None:
    """The person's account in force, as payouts name it (None: none, or one recorded before payouts named
    accounts and never changed since)."""
    return await conn.fetchrow(
        "SELECT account_ref, account_type, last_four, valid_from, iban_sealed FROM benefit_accounts"
        " WHERE person_id = $1 AND valid_to IS NULL AND iban_sealed IS NOT NULL", person_id)


async def latest_benefit_account_change(conn: Connection, person_id: str) -> datetime | None:
    return await conn.fetchval("SELECT max(valid_from) FROM benefit_accounts WHERE person_id = $1", person_id)


async def record_agreement(conn: Connection, membership_id: str, terms_version: str, accepted_at: datetime,
                           channel: str | None) -> None:
    await conn.execute("UPDATE memberships SET agreement_terms_version = $2, agreement_accepted_at = $3,"
                       " agreement_channel = $4 WHERE membership_id = $1", membership_id, terms_version,
                       accepted_at, channel)


async def carry_agreement(conn: Connection, to_membership_id: str, from_membership_id: str) -> None:
    """A transferred membership continues under the agreement the member accepted when joining."""
    await conn.execute(
        "UPDATE memberships m SET agreement_terms_version = o.agreement_terms_version,"
        " agreement_accepted_at = o.agreement_accepted_at, agreement_channel = o.agreement_channel"
        " FROM memberships o WHERE m.membership_id = $1 AND o.membership_id = $2",
        to_membership_id, from_membership_id)


async def of_person(conn: Connection, person_id: str, membership_id: str | None) -> asyncpg.Record | None:
    """The person's membership of that id, or (None) their active one, locked for a correction."""
    if membership_id is None:
        return await conn.fetchrow("SELECT * FROM memberships WHERE person_id = $1 AND status = 'active' FOR UPDATE",
                                   person_id)
    return await conn.fetchrow("SELECT * FROM memberships WHERE person_id = $1 AND membership_id = $2 FOR UPDATE",
                               person_id, membership_id)


async def set_joining_outlet(conn: Connection, membership_id: str, outlet: str | None) -> None:
    await conn.execute("UPDATE memberships SET joining_outlet = $2 WHERE membership_id = $1", membership_id, outlet)
