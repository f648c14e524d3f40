"""Erasure in the membership schema: what has passed its retention, and one person's data on request.

The member register (memberships, contributions and their payments, interest and surplus returns) is kept
with the person's row, encrypted identity code and name, as the Co-operatives Act and the tax rules require;
the identity-code index goes, and the erasure marker moves to `erased_subjects` (migration 004)."""
from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.db import Connection, changed

# Persons whose customer relationship ended before the cut-off: $1 for one that ended (a membership, a place
# in a household, a death), $3 for a customer who never joined a cooperative nor a household — their
# relationship ends with their last activity the register knows of: the registration, their own change of
# their data, the end of a partner registration, supporter group, employment or invitation, or their use of the
# web stores and digital services that the digital service reported (`activity_elsewhere`); one still open
# keeps it going. A null cut-off picks nobody of its kind.
RELATIONSHIP_ENDED = """
SELECT person_id FROM (
    SELECT p.person_id FROM persons p
    LEFT JOIN memberships m ON m.person_id = p.person_id
    LEFT JOIN household_members hm ON hm.person_id = p.person_id
    WHERE p.erased_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM memberships a WHERE a.person_id = p.person_id AND a.status = 'active')
      AND NOT EXISTS (SELECT 1 FROM household_members c WHERE c.person_id = p.person_id AND c.valid_to IS NULL)
    GROUP BY p.person_id
    HAVING greatest((p.relationship_valid_until::timestamp AT TIME ZONE 'Europe/Helsinki'), max(m.ended_at),
                    max(hm.valid_to)) < $1
    UNION ALL
    SELECT p.person_id FROM persons p
    WHERE p.erased_at IS NULL AND p.relationship_valid_until IS NULL
      AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.person_id = p.person_id)
      AND NOT EXISTS (SELECT 1 FROM household_members hm WHERE hm.person_id = p.person_id)
      AND NOT EXISTS (SELECT 1 FROM partner_registrations r WHERE r.person_id = p.person_id AND r.valid_to IS NULL)
      AND NOT EXISTS (SELECT 1 FROM supporter_groups g WHERE g.person_id = p.person_id AND g.valid_to IS NULL)
      AND NOT EXISTS (SELECT 1 FROM staff_employments e WHERE e.person_id = p.person_id
                                                          AND e.employment_end IS NULL)
      AND NOT EXISTS (SELECT 1 FROM invitations i WHERE i.invitee_person_id = p.person_id AND i.status = 'pending')
      AND greatest(
          p.registered_at,
          (SELECT max(b.source_time) FROM base_data b WHERE b.person_id = p.person_id
                                                       AND b.source IN ('customer', 'staff')),
          (SELECT max(f.source_time) FROM field_versions f WHERE f.person_id = p.person_id
                                                            AND f.source IN ('customer', 'staff')),
          (SELECT max(r.valid_to) FROM partner_registrations r WHERE r.person_id = p.person_id),
          (SELECT max(g.valid_to) FROM supporter_groups g WHERE g.person_id = p.person_id),
          (SELECT max(e.employment_end)::timestamp AT TIME ZONE 'Europe/Helsinki' FROM staff_employments e
            WHERE e.person_id = p.person_id),
          (SELECT max(i.decided_at) FROM invitations i WHERE i.invitee_person_id = p.person_id),
          (SELECT max(a.last_active_at) FROM activity_elsewhere a WHERE a.person_id = p.person_id)) < $3
) ended
ORDER BY person_id LIMIT $2"""


async def ended_base_data(conn: Connection, groups: list[str], cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM base_data WHERE ended_at < $1 AND field_group = ANY($2::text[])",
                         cutoff, groups)


async def ended_household_data(conn: Connection, cutoff: datetime) -> int:
    count = await changed(conn, "DELETE FROM household_members WHERE valid_to < $1", cutoff)
    count += await changed(conn, "DELETE FROM invitations WHERE status <> 'pending' AND decided_at < $1", cutoff)
    count += await changed(conn, "DELETE FROM customer_groups WHERE valid_to < $1", cutoff)
    count += await changed(conn, "DELETE FROM supporter_groups WHERE valid_to < $1", cutoff)
    return count


async def bonus_statements_of_months_ended(conn: Connection, cutoff: datetime) -> int:
    """Statements of months that ended (in Helsinki) before the cut-off."""
    return await changed(conn, "DELETE FROM bonus_statements WHERE ((month + interval '1 month')::timestamp"
                         " AT TIME ZONE 'Europe/Helsinki') <= $1", cutoff)


async def tax_reports_written_before(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM tax_reports WHERE written_at < $1", cutoff)


async def ended_orders(conn: Connection, cutoff: datetime) -> int:
    return await changed(conn, "DELETE FROM partner_registrations WHERE valid_to < $1", cutoff)


async def ended_staff_data(conn: Connection, cutoff: datetime) -> int:
    count = await changed(conn, "DELETE FROM staff_employments WHERE employment_end < $1::timestamptz::date", cutoff)
    return count + await replaced_values(conn, "staff_employment", cutoff)


async def replaced_values(conn: Connection, field: str, cutoff: datetime) -> int:
    """Corrections of the field made before the cut-off: the values they replaced ended then."""
    return await changed(conn, "DELETE FROM corrections WHERE field = $1 AND source_time < $2", field, cutoff)


async def relationship_ended_before(conn: Connection, ended_cutoff: datetime | None,
                                    inactive_cutoff: datetime | None, limit: int) -> list[str]:
    rows = await conn.fetch(RELATIONSHIP_ENDED, ended_cutoff, limit, inactive_cutoff)
    return [r["person_id"] for r in rows]


async def has_statutory_records(conn: Connection, person_id: str) -> bool:
    return await conn.fetchval("SELECT EXISTS (SELECT 1 FROM memberships WHERE person_id = $1)"
                               " OR EXISTS (SELECT 1 FROM contributions WHERE person_id = $1)", person_id)


async def relationship_active(conn: Connection, person_id: str) -> bool:
    return await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM memberships WHERE person_id = $1 AND status = 'active')"
        " OR EXISTS (SELECT 1 FROM household_members WHERE person_id = $1 AND valid_to IS NULL)", person_id)


async def households_of(conn: Connection, person_id: str) -> list[str]:
    """Every household the person was ever in or is the main member of."""
    return [r["household_id"] for r in await conn.fetch(
        "SELECT household_id FROM household_members WHERE person_id = $1"
        " UNION SELECT household_id FROM households WHERE main_person_id = $1 ORDER BY 1", person_id)]


async def person_row(conn: Connection, person_id: str) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT person_id, identity_code_encrypted, erasure_marker, erased_at FROM persons"
                               " WHERE person_id = $1", person_id)


async def keep_erasure_marker(conn: Connection, marker: str) -> None:
    await conn.execute("INSERT INTO erased_subjects (marker) VALUES ($1) ON CONFLICT DO NOTHING", marker)


async def erase_person(conn: Connection, person_id: str, keep_register: bool) -> int:
    """Everything about the person but, with `keep_register`, the member register and the name."""
    count = 0
    kept_groups = ["name"] if keep_register else []
    for sql in ("DELETE FROM household_members WHERE person_id = $1",
                "DELETE FROM activity_elsewhere WHERE person_id = $1",
                "DELETE FROM activity_waiting WHERE person_id = $1",
                "DELETE FROM invitations WHERE invitee_person_id = $1",
                "DELETE FROM benefit_accounts WHERE person_id = $1",
                "DELETE FROM staff_employments WHERE person_id = $1",
                "DELETE FROM corrections WHERE person_id = $1",
                "DELETE FROM partner_registrations WHERE person_id = $1",
                "DELETE FROM supporter_groups WHERE person_id = $1",
                "DELETE FROM customer_groups WHERE household_id IN"
                " (SELECT household_id FROM households WHERE main_person_id = $1)",
                "DELETE FROM bonus_statements WHERE household_id IN"
                " (SELECT household_id FROM households WHERE main_person_id = $1)"):
        count += await changed(conn, sql, person_id)
    count += await changed(conn, "DELETE FROM base_data WHERE person_id = $1 AND NOT (field_group = ANY($2::text[])"
                           " AND ended_at IS NULL)", person_id, kept_groups)
    count += await changed(conn, "DELETE FROM field_versions WHERE person_id = $1"
                           " AND NOT field_group = ANY($2::text[])", person_id, kept_groups)
    if keep_register:
        await conn.execute("UPDATE persons SET children_birth_years = '{}', sbank_customer_ref = NULL,"
                           " identity_code_token = NULL, erasure_marker = NULL, published_state = NULL,"
                           " erased_at = now() WHERE person_id = $1", person_id)
    elif deleted := await changed(conn, "DELETE FROM persons WHERE person_id = $1", person_id):
        count += deleted
        await conn.execute("INSERT INTO erased_persons (person_id) VALUES ($1) ON CONFLICT DO NOTHING", person_id)
    return count


async def forget_main_member(conn: Connection, person_id: str) -> int:
    """The person is no longer named as the main member of their households (dissolved: an erasure waits for the
    relationship to end); the households stay, with their membership, for the other members' history."""
    return await changed(conn, "UPDATE households SET main_person_id = NULL, published_state = NULL"
                               " WHERE main_person_id = $1 AND status = 'dissolved'", person_id)
