"""The purchases service's part of retention and erasure (called by the register API's retention job):
receipts are erased two years after the purchase, e-receipts after their own period from the purchase,
warranty receipts once their warranty ended (the API's `e_receipts` and `warranty_receipts` cut-offs), and
all of a person's receipts when the person is."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.purchases.adapters import customer_receipts, retention
from shared.db import Connection


async def erase_expired(conn: Connection, cutoffs: Mapping[str, datetime]) -> dict[str, int]:
    erased = {}
    if "purchases" in cutoffs:
        erased["purchases"] = (await retention.receipts_before(conn, cutoffs["purchases"])
                               + await retention.conflicts_before(conn, cutoffs["purchases"]))
    if "e_receipts" in cutoffs:
        erased["e_receipts"] = await customer_receipts.e_receipts_before(conn, cutoffs["e_receipts"])
    if "warranty_receipts" in cutoffs:
        erased["warranty_receipts"] = await customer_receipts.warranties_ended_before(
            conn, cutoffs["warranty_receipts"])
    return erased


async def erase_person(conn: Connection, person_id: str) -> dict[str, int]:
    return {"rows": await retention.of_person(conn, person_id),
            "customer_receipts": await customer_receipts.of_person(conn, person_id)}
