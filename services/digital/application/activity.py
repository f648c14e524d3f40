"""A customer who uses the web stores or the digital services is active: the membership service decides when a
customer who never joined has been inactive long enough to be erased (`inactive_customer`), and this service
tells it, on `digital.customer-activity.v1`, when one of its customers was last active — it does not read this
schema, nor this service its.

What counts is the customer's own doing: an order placed, a cart saved, a delivery address added or changed, a
service ordered or cancelled, an identified login or use, a value entered. Not what the others do about them: a
web store recomputing their segment (it may call them lapsed), an order's later status, customer service's
contact (it may be the register keeper's own call). A report goes out with the delivery that brought the
activity, at most once a day per person: the rule counts in months."""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Mapping

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.digital import CustomerActivity
from contracts.topics import DIGITAL_CUSTOMER_ACTIVITY
from services.digital.adapters import activity
from shared import outbox
from shared.db import Connection

SOURCE = "coopreg/digital"
REPORT_EVERY = timedelta(days=1)


async def report(conn: Connection, causes: Mapping[str, Envelope]) -> int:
    """Stage the reports due of these persons (each following the message that made them active); how many."""
    due = await activity.take_due(conn, sorted(causes), REPORT_EVERY)
    events = []
    for row in due:
        person_id, at = row["person_id"], row["last_active_at"]
        envelope = causes[person_id].follow(source=SOURCE, type=DIGITAL_CUSTOMER_ACTIVITY.event_type,
                                            subject=person_id,
                                            id=str(uuid.uuid5(NAMESPACE, f"activity:{person_id}:{at.isoformat()}")))
        events.append(outbox.OutgoingEvent(DIGITAL_CUSTOMER_ACTIVITY.name, person_id, envelope,
                                           CustomerActivity(person_id=person_id, last_active_at=at)))
    await outbox.add(conn, events)
    return len(events)
