"""The purchases service's part of retention and erasure (called by the register API's retention job):
receipts are erased two years after the purchase, and all of a person's receipts when the person is."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.purchases.adapters import retention


async def erase_expired(conn, cutoffs: Mapping[str, datetime]) -> dict[str, int]:
    if "purchases" not in cutoffs:
        return {}
    return {"purchases": await retention.receipts_before(conn, cutoffs["purchases"])
            + await retention.conflicts_before(conn, cutoffs["purchases"])}


async def erase_person(conn, person_id: str) -> dict[str, int]:
    return {"rows": await retention.of_person(conn, person_id)}
