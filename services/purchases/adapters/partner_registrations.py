"""PostgreSQL side of the partner-registration projection (from `membership.persons.v1`)."""
from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from shared.db import Connection


class RegistrationPeriod(NamedTuple):
    partner_id: str
    valid_from: datetime
    valid_to: datetime | None


async def replace(conn: Connection, periods: dict[str, list[RegistrationPeriod]]) -> None:
    """Each person's registrations replace what was kept of them (a state lists them all)."""
    await conn.execute("DELETE FROM partner_registrations WHERE person_id = ANY($1::text[])", list(periods))
    await conn.copy_records_to_table(
        "partner_registrations", columns=["person_id", "partner_id", "valid_from", "valid_to"],
        records=[(person_id, *period) for person_id, rows in periods.items() for period in rows])
