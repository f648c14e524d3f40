"""Read side of a person's register data, for the register API's views and the register extract.

Read-only queries against the membership schema, one per data group; each returns plain rows."""
from __future__ import annotations

import asyncpg

from shared.db import Connection

PERSON_CONTRIBUTIONS = """
SELECT DISTINCT c.* FROM contributions c
WHERE c.person_id = $1 OR c.contribution_id IN (SELECT contribution_id FROM memberships WHERE person_id = $1)
ORDER BY c.started_on, c.contribution_id"""


async def person(conn: Connection, person_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM persons WHERE person_id = $1", person_id)


async def by_customer_number(conn: Connection, customer_number: int) -> str | None:
    return await conn.fetchval("SELECT person_id FROM persons WHERE customer_number = $1", customer_number)


async def base_data(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    """Every value of every field group, current (ended_at null) and ended, oldest first."""
    return await conn.fetch("SELECT field_group, value, source, source_time, recorded_at, ended_at FROM base_data"
                            " WHERE person_id = $1 ORDER BY field_group, id", person_id)


async def memberships(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM memberships WHERE person_id = $1 ORDER BY started_at", person_id)


async def contributions(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(PERSON_CONTRIBUTIONS, person_id)


async def payments(conn: Connection, contribution_ids: list[str]) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT payment_id, contribution_id, amount_cents, source, paid_on, paid_at"
                            " FROM contribution_payments WHERE contribution_id = ANY($1::text[])"
                            " ORDER BY paid_at, payment_id", contribution_ids)


async def benefit_accounts(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM benefit_accounts WHERE person_id = $1 ORDER BY valid_from", person_id)


async def yearly_benefits(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT financial_year, kind, membership_id, cooperative_id, amount_cents, paid_on"
                            " FROM yearly_benefits WHERE person_id = $1 ORDER BY financial_year, kind", person_id)


async def household_periods(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    """The person's memberships of households over time, with each household's state."""
    return await conn.fetch("""
        SELECT hm.household_id, hm.role, hm.joined_by, hm.valid_from, hm.valid_to, hm.left_because,
               h.status, h.main_person_id, h.founded_at, h.dissolved_at
        FROM household_members hm JOIN households h USING (household_id)
        WHERE hm.person_id = $1 ORDER BY hm.valid_from""", person_id)


async def household_members(conn: Connection, household_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT person_id, role, joined_by, valid_from, valid_to, left_because"
                            " FROM household_members WHERE household_id = $1 ORDER BY valid_from, person_id",
                            household_id)


async def invitations(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT invitation_id, household_id, invited_at, status, decided_at FROM invitations"
                            " WHERE invitee_person_id = $1 ORDER BY invited_at", person_id)


async def staff_employments(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT employer, employment_start, employment_end, staff_discount, source, source_time"
                            " FROM staff_employments WHERE person_id = $1 ORDER BY employment_start", person_id)


async def partner_registrations(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT partner_id, valid_from, valid_to FROM partner_registrations"
                            " WHERE person_id = $1 ORDER BY valid_from", person_id)


async def supporter_groups(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT group_id, valid_from, valid_to FROM supporter_groups"
                            " WHERE person_id = $1 ORDER BY valid_from, group_id", person_id)


async def household_groups(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    """The customer groups of the households the person belonged to, while they belonged to them."""
    return await conn.fetch("""
        SELECT DISTINCT g.household_id, g.group_code AS group_id, g.valid_from, g.valid_to
        FROM customer_groups g JOIN household_members hm ON hm.household_id = g.household_id
        WHERE hm.person_id = $1 AND g.valid_from < coalesce(hm.valid_to, 'infinity')
          AND coalesce(g.valid_to, 'infinity') > hm.valid_from
        ORDER BY g.valid_from, g.household_id""", person_id)


async def main_member_of_invitation(conn: Connection, invitation_id: str,
                                    invitee_person_id: str | None = None) -> str | None:
    """The main member of the invitation's household; with `invitee_person_id`, only if the invitation is
    that person's and still open (what accepting it needs)."""
    return await conn.fetchval("SELECT h.main_person_id FROM invitations i JOIN households h USING (household_id)"
                               " WHERE i.invitation_id = $1 AND ($2::text IS NULL OR"
                               " (i.invitee_person_id = $2 AND i.status = 'pending'))",
                               invitation_id, invitee_person_id)


async def current_main_member(conn: Connection, person_id: str) -> str | None:
    """The main member of the household the person belongs to now."""
    return await conn.fetchval("SELECT h.main_person_id"
                               " FROM household_members hm JOIN households h USING (household_id)"
                               " WHERE hm.person_id = $1 AND hm.valid_to IS NULL", person_id)


async def household_known(conn: Connection, household_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM households WHERE household_id = $1)", household_id)


async def members_between(conn: Connection, household_id: str, start, end) -> list[str]:
    """Who belonged to the household at any time in [start, end)."""
    rows = await conn.fetch("SELECT DISTINCT person_id FROM household_members WHERE household_id = $1"
                            " AND valid_from < $3 AND (valid_to IS NULL OR valid_to > $2) ORDER BY person_id",
                            household_id, start, end)
    return [r["person_id"] for r in rows]
