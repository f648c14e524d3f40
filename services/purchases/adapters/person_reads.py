"""Read-only queries of a person's receipts, for the register API's views and extracts."""
from __future__ import annotations

from datetime import datetime

import asyncpg

from shared.db import Connection

COLUMNS = ("receipt_id, status, purchased_at, outlet_id, chain, outlet_cooperative, identifier_last4, household_id, "
           "cooperative_id, total_cents, bonus_eligible_cents, fuel_cents, fuel_millilitres, "
           "payment_method_eligible_cents, excluded::text AS excluded, lines::text AS lines, return_of, card_entry, "
           "payments::text AS payments, staff_discount_cents, staff_discount_flagged")


async def receipts_of(conn: Connection, person_id: str, since: datetime | None = None,
                      until: datetime | None = None) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT {COLUMNS} FROM receipts WHERE person_id = $1 AND ($2::timestamptz IS NULL OR purchased_at >= $2)"
        " AND ($3::timestamptz IS NULL OR purchased_at < $3) ORDER BY purchased_at, receipt_id",
        person_id, since, until)
