"""The bonus service's part of retention and erasure (called by the register API's retention job): booked
purchases two years after the purchase, paid Bonus and the payment-method benefit two years after the
month; a person's booked purchases when the person is erased. A household's statements pool every member
and are erased by their period, not with one member."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.bonus.adapters import retention
from shared.db import Connection


async def erase_expired(conn: Connection, cutoffs: Mapping[str, datetime]) -> dict[str, int]:
    report: dict[str, int] = {}
    if "purchases" in cutoffs:
        report["purchases"] = await retention.bookings_before(conn, cutoffs["purchases"])
    paid = [cutoffs[g] for g in ("paid_bonus", "payment_method_benefit") if g in cutoffs]
    if paid:
        report["paid_bonus"] = await retention.months_ended_before(conn, min(paid))
    return report


async def erase_person(conn: Connection, person_id: str) -> dict[str, int]:
    return {"rows": await retention.of_person(conn, person_id)}
