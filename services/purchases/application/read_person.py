"""The purchases service's read endpoint for the register API: a person's receipts as stored (identifiers
only as their last four digits), with the product lines kept at the chain's collection level."""
from __future__ import annotations

from datetime import datetime

import orjson

from services.purchases.adapters import customer_receipts
from services.purchases.adapters import person_reads as reads
from shared.db import Connection


async def purchases_part(conn: Connection, person_id: str, since: datetime | None = None,
                         until: datetime | None = None) -> list[dict]:
    rows = await reads.receipts_of(conn, person_id, since, until)
    return [{**dict(r), "excluded": orjson.loads(r["excluded"]),
             "lines": orjson.loads(r["lines"]) if r["lines"] else [],
             "payments": orjson.loads(r["payments"]) if r["payments"] else []} for r in rows]


async def customer_receipts_part(conn: Connection, person_id: str) -> dict[str, list[dict]]:
    """The receipts issued to the person: `e_receipts` and `warranty_receipts` (a purchase may be both)."""
    issued = [{**dict(r), "lines": orjson.loads(r["lines"]),
               "payments": orjson.loads(r["payments"]) if r["payments"] else []}
              for r in await customer_receipts.issued_to(conn, person_id)]
    drop = ("e_receipt", "warranty_until")
    return {"e_receipts": [{k: v for k, v in r.items() if k not in drop} for r in issued if r["e_receipt"]],
            "warranty_receipts": [{k: v for k, v in r.items() if k != "e_receipt"} for r in issued
                                  if r["warranty_until"] is not None]}
