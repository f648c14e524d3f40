"""Read-only queries of one person in the consent schema, for the register API's extracts and erasure."""
from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.db import Connection, one_row

FACTS = """
SELECT p.household_id, p.cooperative_id, p.customer_kind, p.language, p.deceased, p.marketing_prohibition,
       p.marketing_prohibition_source, p.address_protection, p.home_municipality, p.birth_year,
       p.sbank_customer_ref, t.rate_bp AS household_bonus_tier_bp, t.month AS household_bonus_month
FROM persons p LEFT JOIN household_tiers t ON t.household_id = p.household_id
WHERE p.person_id = $1 AND p.erased_at IS NULL"""

SEGMENTS = """
SELECT m.segment, d.definition->>'purpose' AS purpose, d.definition->>'channel' AS channel, m.pseudonym,
       m.entry, m.published_at
FROM segment_members m JOIN segment_definitions d ON d.name = m.segment
WHERE m.person_id = $1 ORDER BY m.segment"""


async def facts(conn: Connection, person_id: str) -> asyncpg.Record | None:
    """What the service keeps of the person to decide segments (None: unknown or erased)."""
    return await conn.fetchrow(FACTS, person_id)


async def segment_memberships(conn: Connection, person_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(SEGMENTS, person_id)


async def items_in_force(conn: Connection, person_id: str) -> dict[str, tuple[bool, datetime]]:
    rows = await conn.fetch("SELECT item, value, source_time FROM consent_items WHERE person_id = $1", person_id)
    return {r["item"]: (r["value"], r["source_time"]) for r in rows}


async def held(conn: Connection, person_id: str) -> dict[str, int]:
    """How many rows of the person's consent the service holds, by kind."""
    row = await one_row(conn, """
        SELECT (SELECT count(*) FROM consent_receipts WHERE person_id = $1) AS receipts,
               (SELECT count(*) FROM consent_items WHERE person_id = $1) AS items_in_force,
               (SELECT count(*) FROM segment_members WHERE person_id = $1) AS segments""", person_id)
    return dict(row)
