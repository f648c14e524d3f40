"""PostgreSQL repository of the published Bonus statements the return of surplus is computed from: one row
per household and month."""
from __future__ import annotations

from datetime import date

from shared.db import Connection


async def save(conn: Connection, household_id: str, month: date, statement_id: str, cooperative_id: str,
               own_cooperative_eligible_cents: int) -> bool:
    """Keep the household's statement of the month (a re-sent one replaces it); False when nothing changed."""
    row = await conn.fetchrow("""
        INSERT INTO bonus_statements AS s (household_id, month, statement_id, cooperative_id,
                                           own_cooperative_eligible_cents)
        VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (household_id, month) DO UPDATE SET
            statement_id = excluded.statement_id, cooperative_id = excluded.cooperative_id,
            own_cooperative_eligible_cents = excluded.own_cooperative_eligible_cents, received_at = now()
        WHERE (s.statement_id, s.cooperative_id, s.own_cooperative_eligible_cents)
              IS DISTINCT FROM (excluded.statement_id, excluded.cooperative_id, excluded.own_cooperative_eligible_cents)
        RETURNING household_id""", household_id, month, statement_id, cooperative_id, own_cooperative_eligible_cents)
    return row is not None
