"""Storing receipts and publishing the accepted ones: the accepted-purchase event is built from the stored
row and keyed by household id."""
from __future__ import annotations

import uuid
from typing import Callable

import orjson

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.purchases import PurchaseAccepted
from contracts.topics import PURCHASES_ACCEPTED
from services.purchases.adapters import receipts
from shared import outbox
from shared.logging import get_logger
from shared.outbox import OutgoingEvent

SOURCE = "coopreg/purchases"
log = get_logger(component="purchases")


def accepted_event(row, cause: Envelope | None = None) -> OutgoingEvent:
    data = PurchaseAccepted(
        receipt_id=row["receipt_id"], household_id=row["household_id"], person_id=row["person_id"],
        cooperative_id=row["cooperative_id"], outlet_id=row["outlet_id"],
        outlet_cooperative_id=row["outlet_cooperative"], chain=row["chain"],
        purchased_at=row["purchased_at"], total_cents=row["total_cents"],
        bonus_eligible_cents=row["bonus_eligible_cents"], fuel_cents=row["fuel_cents"],
        fuel_millilitres=row["fuel_millilitres"],
        payment_method_eligible_cents=row["payment_method_eligible_cents"],
        excluded=orjson.loads(row["excluded"]),
        return_of=row["return_of"],
    )
    # One receipt is accepted once, so its event id is derived from the receipt id: a re-sent
    # event carries the same id and downstream deduplication recognises it.
    event_id = str(uuid.uuid5(NAMESPACE, f"accepted:{row['receipt_id']}"))
    kind = dict(source=SOURCE, type=PURCHASES_ACCEPTED.event_type, subject=row["receipt_id"],
                cooperative=row["cooperative_id"], id=event_id)
    envelope = cause.follow(**kind) if cause else Envelope(**kind)
    return OutgoingEvent(PURCHASES_ACCEPTED.name, row["household_id"], envelope, data)


async def store_and_publish(conn, rows: list[tuple], causes: dict[str, Envelope]) -> None:
    """Store each receipt once; publish those resolved to a household; flag conflicting duplicates."""
    result = await receipts.store_receipts(conn, rows)
    if result.conflicts:
        log.warning("conflicting duplicate receipts flagged", count=len(result.conflicts))
    await publish_accepted(conn, [row for row in result.stored if row["status"] == "accepted"],
                           lambda row: causes[row["receipt_id"]])


async def publish_accepted(conn, rows: list, cause_of: Callable[[object], Envelope | None]) -> None:
    """Receipts resolved to a household (its product-data prohibitions applied as they were) published."""
    await outbox.add(conn, [accepted_event(row, cause_of(row)) for row in rows])
