"""The bonus service's projection of households (from membership.households.v1)."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

import asyncpg

from shared.db import Connection


class KeptHousehold(NamedTuple):
    """What the close reads of a household's state, as membership.households.v1 last said it."""

    household_id: str
    version: int
    status: str
    cooperative_id: str
    cooperative_from: datetime
    open_contribution_cents: int
    benefit_account: str | None  # JSON


async def keep_latest(conn: Connection, rows: list[KeptHousehold]) -> None:
    """Each household's latest state; an older version than the one kept (a redelivery, or out of order)
    changes nothing."""
    await conn.executemany("""
        INSERT INTO households AS h (household_id, version, status, cooperative_id, cooperative_from,
                                     open_contribution_cents)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (household_id) DO UPDATE SET version = excluded.version, status = excluded.status,
            cooperative_id = excluded.cooperative_id, cooperative_from = excluded.cooperative_from,
            open_contribution_cents = excluded.open_contribution_cents, updated_at = now()
        WHERE h.version < excluded.version""", [row[:6] for row in rows])  # all but the account, in field order
    await conn.executemany("""
        INSERT INTO household_accounts AS a (household_id, version, benefit_account) VALUES ($1, $2, $3::jsonb)
        ON CONFLICT (household_id) DO UPDATE SET version = excluded.version, benefit_account = excluded.benefit_account
        WHERE a.version < excluded.version""", [(row.household_id, row.version, row.benefit_account) for row in rows])


async def of(conn: Connection, household_ids: list[str]) -> dict[str, asyncpg.Record]:
    rows = await conn.fetch("SELECT * FROM households WHERE household_id = ANY($1::text[])", household_ids)
    return {r["household_id"]: r for r in rows}
