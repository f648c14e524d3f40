"""The purchases service's read endpoint for the register API: a person's receipts as stored (identifiers
only as their last four digits), with the product lines kept at the chain's collection level."""
from __future__ import annotations

from datetime import datetime

import orjson

from services.purchases.adapters import person_reads as reads


async def purchases_part(conn, person_id: str, since: datetime | None = None,
                         until: datetime | None = None) -> list[dict]:
    rows = await reads.receipts_of(conn, person_id, since, until)
    return [{**dict(r), "excluded": orjson.loads(r["excluded"]),
             "lines": orjson.loads(r["lines"]) if r["lines"] else []} for r in rows]
