"""PostgreSQL side of the person and household projection (membership.persons.v1, membership.households.v1,
bonus.month-to-date.v1), and the locks that keep one household's consent changes in order."""
from __future__ import annotations

import asyncpg

from shared.db import Connection, one_row

PERSON_FIELDS = ("household_id", "cooperative_id", "customer_kind", "language", "deceased",
                 "marketing_prohibition", "marketing_prohibition_source", "address_protection",
                 "home_municipality", "birth_year", "sbank_customer_ref")


async def lock(conn: Connection, person_ids, households=()) -> list[str]:
    """Lock the people and their households (and `households`) until commit; return everyone locked: the
    people and every current member of those households.

    Always in one order: the households' advisory locks sorted, then the people's rows sorted, and a
    person's row made only under their household's lock. Two transactions locking overlapping sets then wait
    for each other instead of deadlocking, as long as each takes everything in one call: the consumers lock
    their whole batch up front, and `lock` again within it re-enters what is held."""
    person_ids = sorted(set(person_ids))
    wanted, held = {h for h in households if h} | await _households_of(conn, person_ids), set[str]()
    while new := wanted - held:  # a person's household changes only under its lock: once held, it stays
        for household_id in sorted(new):
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"consent-household:{household_id}")
        held |= new
        wanted |= await _households_of(conn, person_ids)  # moved before the lock was ours
    await conn.execute("INSERT INTO persons (person_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING",
                       person_ids)
    rows = await conn.fetch(
        "SELECT person_id FROM persons WHERE person_id = ANY($1) OR household_id = ANY($2)"
        " ORDER BY person_id FOR UPDATE", person_ids, sorted(held))
    return [r["person_id"] for r in rows]


async def _households_of(conn: Connection, person_ids: list[str]) -> set[str]:
    if not person_ids:
        return set()
    return set(await conn.fetchval(
        "SELECT coalesce(array_agg(DISTINCT household_id), '{}') FROM persons"
        " WHERE person_id = ANY($1) AND household_id IS NOT NULL", person_ids))


async def by_sbank_refs(conn: Connection, refs: list[str]) -> list[str]:
    """The people S-Bank's references name now (for locking a batch of S-Bank updates up front)."""
    rows = await conn.fetch("SELECT person_id FROM persons WHERE sbank_customer_ref = ANY($1)", refs)
    return [r["person_id"] for r in rows]


async def members(conn: Connection, household_id: str | None) -> list[str]:
    if household_id is None:
        return []
    rows = await conn.fetch("SELECT person_id FROM persons WHERE household_id = $1 ORDER BY person_id",
                            household_id)
    return [r["person_id"] for r in rows]


async def save_state(conn: Connection, person_id: str, version: int, fields: dict) -> bool:
    """Store a newer person state (the row must be locked); False when `version` is not newer."""
    columns = ", ".join(f"{name} = ${i}" for i, name in enumerate(PERSON_FIELDS, start=3))
    status = await conn.execute(
        f"UPDATE persons SET known = true, state_version = $2, {columns}"
        " WHERE person_id = $1 AND state_version < $2 AND erased_at IS NULL",
        person_id, version, *[fields[name] for name in PERSON_FIELDS])
    return status.endswith(" 1")


async def person(conn: Connection, person_id: str) -> asyncpg.Record:
    """A person `lock` has locked, and so made a row for if there was none."""
    return await one_row(conn, """
        SELECT p.*, h.main_member_person_id = p.person_id AS main_member, t.rate_bp AS bonus_tier_bp
        FROM persons p
        LEFT JOIN households h ON h.household_id = p.household_id
        LEFT JOIN household_tiers t ON t.household_id = p.household_id
        WHERE p.person_id = $1""", person_id)


async def by_sbank_ref(conn: Connection, ref: str) -> str | None:
    return await conn.fetchval("SELECT person_id FROM persons WHERE sbank_customer_ref = $1", ref)


async def unlink_sbank_ref(conn: Connection, ref: str, keep_person_id: str) -> None:
    """A reference moves to the person now named with it (S-Bank's reference is unique)."""
    await conn.execute("UPDATE persons SET sbank_customer_ref = NULL WHERE sbank_customer_ref = $1"
                       " AND person_id <> $2", ref, keep_person_id)


async def erase(conn: Connection, person_id: str) -> None:
    """Keep only the id and the time of erasure (settling then publishes the consent state's tombstone)."""
    await conn.execute("""
        UPDATE persons SET erased_at = now(), known = false, household_id = NULL, cooperative_id = NULL,
            customer_kind = NULL, language = DEFAULT, deceased = false, marketing_prohibition = false,
            marketing_prohibition_source = NULL, address_protection = NULL, home_municipality = NULL,
            birth_year = NULL, sbank_customer_ref = NULL
        WHERE person_id = $1""", person_id)


async def forget_household(conn: Connection, household_id: str) -> None:
    """Drop a household whose main member was erased: the row names them."""
    await conn.execute("DELETE FROM households WHERE household_id = $1", household_id)


async def save_household(conn: Connection, household_id: str, version: int, status: str,
                         main_member_person_id: str, cooperative_id: str) -> bool:
    status_text = await conn.execute("""
        INSERT INTO households (household_id, version, status, main_member_person_id, cooperative_id)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (household_id) DO UPDATE SET version = excluded.version, status = excluded.status,
            main_member_person_id = excluded.main_member_person_id, cooperative_id = excluded.cooperative_id
        WHERE households.version < excluded.version""",
        household_id, version, status, main_member_person_id, cooperative_id)
    return status_text.endswith(" 1")


async def save_tier(conn: Connection, household_id: str, month: str, rate_bp: int) -> bool:
    """Keep the latest month's Bonus %; True when the household's tier changed."""
    previous = await conn.fetchval("SELECT rate_bp FROM household_tiers WHERE household_id = $1", household_id)
    status = await conn.execute("""
        INSERT INTO household_tiers (household_id, month, rate_bp) VALUES ($1, $2, $3)
        ON CONFLICT (household_id) DO UPDATE SET month = excluded.month, rate_bp = excluded.rate_bp
        WHERE household_tiers.month <= excluded.month""", household_id, month, rate_bp)
    return status.endswith(" 1") and previous != rate_bp


async def count_ignored(conn: Connection, source: str, reason: str, count: int = 1) -> None:
    await conn.execute(
        "INSERT INTO ignored_updates (source, reason, count) VALUES ($1, $2, $3)"
        " ON CONFLICT (source, reason) DO UPDATE SET count = ignored_updates.count + excluded.count",
        source, reason, count)
