"""The disclosure log in a service's own schema (`contracts/disclosures.py`): every service that hands a
person's data out records it here, in the transaction that hands it out, so an entry exists if and only if
the data left. The table is the same in every schema that has one (each service's own migration creates it);
it goes with the person's erasure and with the `disclosures` retention period."""
from __future__ import annotations

from datetime import datetime

from contracts.disclosures import DisclosureEntry
from shared.db import Connection, changed

COLUMNS = ("disclosure_id", "person_id", "kind", "recipient", "data", "legal_basis", "reference", "disclosed_at",
           "recorded_by")


async def record(conn: Connection, entries: list[DisclosureEntry]) -> None:
    """Record the entries; one recorded already (the same id) stays as it was."""
    if entries:
        await conn.executemany(
            f"INSERT INTO disclosures ({', '.join(COLUMNS)}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            " ON CONFLICT (disclosure_id) DO NOTHING",
            [(e.disclosure_id, e.person_id, e.kind, e.recipient, sorted(e.data), e.legal_basis, e.reference,
              e.disclosed_at, e.recorded_by) for e in entries])


async def of_person(conn: Connection, person_id: str) -> list[dict]:
    rows = await conn.fetch(f"SELECT {', '.join(COLUMNS)} FROM disclosures WHERE person_id = $1"
                            " ORDER BY disclosed_at, disclosure_id", person_id)
    return [{**dict(r), "data": list(r["data"])} for r in rows]


async def erase_person(conn: Connection, person_id: str) -> int:
    return await changed(conn, "DELETE FROM disclosures WHERE person_id = $1", person_id)


async def erase_before(conn: Connection, cutoff: datetime) -> int:
    """Erase the entries of disclosures made before `cutoff` (the `disclosures` retention period)."""
    return await changed(conn, "DELETE FROM disclosures WHERE disclosed_at < $1", cutoff)
