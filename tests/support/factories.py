"""Messages as the delivery pipeline hands them to use cases, for tests that call use cases directly."""
from __future__ import annotations

import uuid
from datetime import datetime

from contracts.envelope import Envelope
from contracts.events.purchases import PurchaseAccepted
from shared.delivery import Incoming


def incoming(data, event_id: str | None = None) -> Incoming:
    return Incoming.handed(data, Envelope(id=event_id or str(uuid.uuid4()), source="tests", type=type(data).__name__))


def accepted(receipt: str, household: str, at: datetime, cents: int, *, person: str = "p1",
             cooperative: str = "hok-elanto", fuel_cents: int = 0, litres_milli: int = 0, pmb: int = 0,
             outlet: str = "P001", return_of: str | None = None) -> PurchaseAccepted:
    return PurchaseAccepted(
        receipt_id=receipt, household_id=household, person_id=person, cooperative_id=cooperative,
        outlet_id=outlet, chain="prisma", purchased_at=at, total_cents=cents + fuel_cents,
        bonus_eligible_cents=cents, fuel_cents=fuel_cents, fuel_millilitres=litres_milli,
        payment_method_eligible_cents=pmb, return_of=return_of)
