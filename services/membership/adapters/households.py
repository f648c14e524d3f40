"""PostgreSQL repository of households, their members over time, and invitations."""
from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.db import Connection, one_row


async def insert(conn: Connection, household_id: str, main_person_id: str, membership_id: str,
                 founded_at: datetime, cooperative_from: datetime) -> bool:
    row = await conn.fetchrow(
        "INSERT INTO households (household_id, main_person_id, membership_id, cooperative_from, status, founded_at)"
        " VALUES ($1, $2, $3, $4, 'active', $5) ON CONFLICT DO NOTHING RETURNING household_id",
        household_id, main_person_id, membership_id, cooperative_from, founded_at)
    return row is not None


async def add_member(conn: Connection, household_id: str, person_id: str, role: str, joined_by: str,
                     at: datetime) -> None:
    await conn.execute("INSERT INTO household_members (household_id, person_id, role, joined_by, valid_from)"
                       " VALUES ($1, $2, $3, $4, $5)", household_id, person_id, role, joined_by, at)


async def current_of(conn: Connection, person_id: str) -> asyncpg.Record | None:
    """The household the person belongs to now (household_id, role), or None."""
    return await conn.fetchrow("SELECT household_id, role FROM household_members"
                               " WHERE person_id = $1 AND valid_to IS NULL", person_id)


LOCK = "SELECT * FROM households WHERE household_id = $1 FOR UPDATE"


async def lock(conn: Connection, household_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow(LOCK, household_id)


async def lock_named(conn: Connection, household_id: str) -> asyncpg.Record:
    """A household a member or invitation row names: it references the household, which is never deleted."""
    return await one_row(conn, LOCK, household_id)


async def active_of_main_member(conn: Connection, person_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM households WHERE main_person_id = $1 AND status = 'active'"
                               " FOR UPDATE", person_id)


async def of_membership(conn: Connection, membership_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM households WHERE membership_id = $1 FOR UPDATE", membership_id)


async def end_membership_of(conn: Connection, household_id: str, person_id: str, at: datetime,
                            because: str) -> None:
    await conn.execute("UPDATE household_members SET valid_to = $3, left_because = $4"
                       " WHERE household_id = $1 AND person_id = $2 AND valid_to IS NULL",
                       household_id, person_id, at, because)


async def dissolve(conn: Connection, household_id: str, at: datetime) -> list[str]:
    """Dissolve the household: every current member leaves; returns their person ids."""
    await conn.execute("UPDATE households SET status = 'dissolved', dissolved_at = $2 WHERE household_id = $1",
                       household_id, at)
    rows = await conn.fetch("UPDATE household_members SET valid_to = $2, left_because = 'dissolved'"
                            " WHERE household_id = $1 AND valid_to IS NULL RETURNING person_id", household_id, at)
    await conn.execute("UPDATE invitations SET status = 'cancelled', decided_at = $2"
                       " WHERE household_id = $1 AND status = 'pending'", household_id, at)
    return [r["person_id"] for r in rows]


async def move_to_membership(conn: Connection, household_id: str, membership_id: str,
                             cooperative_from: datetime) -> None:
    await conn.execute("UPDATE households SET membership_id = $2, cooperative_from = $3 WHERE household_id = $1",
                       household_id, membership_id, cooperative_from)


async def members(conn: Connection, household_id: str) -> list[asyncpg.Record]:
    return await conn.fetch("SELECT * FROM household_members WHERE household_id = $1"
                            " ORDER BY valid_from, person_id", household_id)


async def invite(conn: Connection, invitation_id: str, household_id: str, invitee: str,
                 at: datetime) -> bool:
    row = await conn.fetchrow(
        "INSERT INTO invitations (invitation_id, household_id, invitee_person_id, invited_at, status)"
        " VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT DO NOTHING RETURNING invitation_id",
        invitation_id, household_id, invitee, at)
    return row is not None


async def invitation(conn: Connection, invitation_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT * FROM invitations WHERE invitation_id = $1 FOR UPDATE", invitation_id)


async def decide_invitation(conn: Connection, invitation_id: str, status: str, at: datetime) -> None:
    await conn.execute("UPDATE invitations SET status = $2, decided_at = $3 WHERE invitation_id = $1",
                       invitation_id, status, at)


async def cancel_invitations_to(conn: Connection, person_id: str, at: datetime) -> None:
    await conn.execute("UPDATE invitations SET status = 'cancelled', decided_at = $2"
                       " WHERE invitee_person_id = $1 AND status = 'pending'", person_id, at)


async def exists(conn: Connection, household_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM households WHERE household_id = $1)", household_id)
