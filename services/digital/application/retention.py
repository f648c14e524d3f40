"""The digital service's part of erasure and retention (shared/privacy_duties.py), given a connection to this
service's schema. Periods are the register API's data (`retention_periods.json`, seed §11):
- `delivery_addresses`: an address 24 months after it was replaced or removed (the current ones stay while
  the customer relationship lasts);
- `web_store_orders`: an order 24 months after it was delivered, collected, cancelled or returned;
- `orders`: a newsletter, panel or S-mobiili period 24 months after it was cancelled;
- `contact_log`: a contact 24 months after it was made.
A web-store profile (the segment) is kept while the relationship lasts; everything of a person goes with
their erasure. Both are idempotent: a request read twice erases nothing more."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from services.digital.adapters import retention

EXPIRING = {
    "delivery_addresses": retention.addresses_replaced_before,
    "web_store_orders": retention.orders_ended_before,
    "orders": retention.services_cancelled_before,
    "contact_log": retention.contacts_before,
}


async def erase_person(conn, person_id: str) -> dict[str, int]:
    return await retention.of_person(conn, person_id)


async def erase_expired(conn, cutoffs: Mapping[str, datetime]) -> dict[str, int]:
    return {group: await erase(conn, cutoffs[group]) for group, erase in EXPIRING.items() if group in cutoffs}
