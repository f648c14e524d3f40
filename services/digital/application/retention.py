"""The digital service's part of erasure and retention (shared/privacy_duties.py), given a connection to this
service's schema. Periods are the register API's data (`retention_periods.json`, seed §11):
- `delivery_addresses`: an address 24 months after it was replaced or removed (the current ones stay while
  the customer relationship lasts);
- `web_store_orders`: an order 24 months after it was delivered, collected, cancelled or returned;
- `orders`: a newsletter, panel or S-mobiili period 24 months after it was cancelled;
- `contact_log`: a contact 24 months after it was made;
- `saved_carts`: a web store's saved cart 12 months after the customer last changed it;
- `digital_usage`: an identified login or use of a digital service 12 months after it;
- `entered_data`: a value the customer entered in a digital service (or its removal) 24 months after they last
  entered it;
- `inactive_customer`: the customer's latest activity here (`application/activity.py`) once it lies before the
  cut-off: reported to the membership service long before, nothing of the customer's own.
A web-store profile (the segment) is kept while the relationship lasts; everything of a person goes with
their erasure. Both are idempotent: a request read twice erases nothing more."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.digital.adapters import retention
from shared.db import Connection

EXPIRING = {
    "delivery_addresses": retention.addresses_replaced_before,
    "web_store_orders": retention.orders_ended_before,
    "orders": retention.services_cancelled_before,
    "contact_log": retention.contacts_before,
    "saved_carts": retention.carts_saved_before,
    "digital_usage": retention.usage_before,
    "entered_data": retention.entered_before,
    "inactive_customer": retention.activity_before,
}


async def erase_person(conn: Connection, person_id: str) -> dict[str, int]:
    return await retention.of_person(conn, person_id)


async def erase_expired(conn: Connection, cutoffs: Mapping[str, datetime]) -> dict[str, int]:
    return {group: await erase(conn, cutoffs[group]) for group, erase in EXPIRING.items() if group in cutoffs}
