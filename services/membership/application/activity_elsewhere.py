"""A customer's activity that another service saw: the digital service reports when a customer was last active
in the web stores or the digital services (`digital.customer-activity.v1`), and the `inactive_customer`
retention rule (`adapters/retention.py`) counts it as this service's own activity, without this service reading
the digital service's schema. A report about a person unknown here or erased keeps nothing and is counted."""
from __future__ import annotations

from typing import cast

from contracts.events.digital import CustomerActivity
from services.membership.adapters import activity_elsewhere, persons
from shared.db import Connection
from shared.delivery import Incoming


async def note_digital_activity(conn: Connection, messages: list[Incoming]) -> None:
    for message in messages:
        report = cast(CustomerActivity, message.data)  # the delivery validated it against the topic's model
        if not await activity_elsewhere.note(conn, report.person_id, "digital", report.last_active_at):
            await persons.count_ignored(conn, "digital", "unknown_or_erased")
