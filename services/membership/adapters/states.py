"""Read side for the published states: what a household's and a person's event is built from, and the
last state published (so an unchanged state is not published again)."""
from __future__ import annotations

import asyncpg
import orjson

from shared.db import Connection, one_row

TABLES = {"household": ("households", "household_id"), "person": ("persons", "person_id")}


async def household(conn: Connection, household_id: str) -> asyncpg.Record:
    """A household is never deleted (an erasure forgets its main member), so one named is there."""
    return await one_row(conn, """
        SELECT h.*, m.cooperative_id, m.member_number, m.status AS membership_status, m.contribution_id
        FROM households h JOIN memberships m USING (membership_id) WHERE h.household_id = $1""", household_id)


async def person(conn: Connection, person_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("""
        SELECT p.person_id, p.language, p.marketing_prohibition, p.deceased_on, p.sbank_customer_ref,
               p.published_version, p.published_state, p.non_disclosure, p.birth_date, p.erased_at,
               (SELECT b.value->>'code' FROM base_data b WHERE b.person_id = p.person_id
                  AND b.field_group = 'home_municipality' AND b.ended_at IS NULL) AS home_municipality,
               (SELECT v.source FROM field_versions v WHERE v.person_id = p.person_id
                  AND v.field_group = 'marketing_prohibition') AS marketing_prohibition_source,
               hm.household_id, hm.role, hm_m.cooperative_id AS household_cooperative,
               own.cooperative_id AS own_cooperative,
               EXISTS (SELECT 1 FROM staff_employments s WHERE s.person_id = p.person_id AND s.staff_discount
                       AND (s.employment_end IS NULL OR s.employment_end >= current_date)) AS staff_discount
        FROM persons p
        LEFT JOIN household_members hm ON hm.person_id = p.person_id AND hm.valid_to IS NULL
        LEFT JOIN households h ON h.household_id = hm.household_id
        LEFT JOIN memberships hm_m ON hm_m.membership_id = h.membership_id
        LEFT JOIN memberships own ON own.person_id = p.person_id AND own.status = 'active'
        WHERE p.person_id = $1""", person_id)


async def published(conn: Connection, kind: str, key: str) -> tuple[int, dict | None]:
    table, column = TABLES[kind]
    row = await one_row(conn, f"SELECT published_version, published_state FROM {table} WHERE {column} = $1", key)
    return row["published_version"], orjson.loads(row["published_state"]) if row["published_state"] else None


async def mark_published(conn: Connection, kind: str, key: str, version: int, state: dict) -> None:
    table, column = TABLES[kind]
    await conn.execute(f"UPDATE {table} SET published_version = $2, published_state = $3 WHERE {column} = $1",
                       key, version, orjson.dumps(state).decode())


async def forget_published(conn: Connection, kind: str, key: str) -> None:
    """Drop the last published state (it names people), keeping its version: a later publication goes on
    from it."""
    table, column = TABLES[kind]
    await conn.execute(f"UPDATE {table} SET published_state = NULL WHERE {column} = $1", key)
