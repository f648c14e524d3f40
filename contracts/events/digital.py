"""The customer's digital relationship (seed §5-6), inbound to the digital service from the web stores, the
digital services and customer service. Every message names the customer by the register's person id, which
the S-Group login (S-käyttäjätunnus) gives the web stores and the digital services and customer service's
system reads from the register API; nothing here carries an identity code, a card number or an S-code.

- `webstore.customer-updates.v1` (`WebStoreCustomerUpdate`, key person id): the customer's profile in one
  web store as it stands at `source_time`: the web-store customer segment and every delivery address the
  customer keeps there. An address that is changed or missing from a later update is kept as history
  (replaced), erased 24 months later; an update older than the one applied is ignored.
- `webstore.orders.v1` (`WebStoreOrder`, key order id): an order's state at `status_at`, sent at every
  status change. The register keeps the order with its status history; a status older than the current one
  joins the history without turning the order back. Erased 24 months after it was delivered, collected,
  cancelled or returned.
- `digital.service-orders.v1` (`DigitalServiceOrder`, key person id): a digital service (a newsletter, a
  customer panel, S-mobiili) ordered or cancelled. Erased 24 months after it was cancelled.
- `customerservice.contacts.v1` (`CustomerContact`, key person id): one contact between the register keeper
  and the customer (channel, reason, handler, time) with the handler's free-text notes, which are personal
  data: stored encrypted, erased 24 months after the contact.

A message for a person the register has erased is acknowledged and dropped (counted), never stored. Errors go
to `<topic>.dlq` with a reason: `schema_violation` when the model rejects the message (the detail names the
field, never the value), or a domain code of the digital service (`order_person_changed`: an order id sent
again for another person).
"""
from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from contracts.events.common import Contract
from contracts.events.fields import MessageId, PostalAddress, Slug, Text

PersonId = MessageId
DigitalService = Literal["newsletter", "customer_panel", "s_mobiili"]
OrderStatus = Literal["placed", "confirmed", "picking", "shipped", "delivered", "collected", "cancelled",
                      "returned"]
ContactChannel = Literal["phone", "email", "chat", "letter", "web_form", "in_store", "social_media"]


class DeliveryAddress(Contract):
    address_id: MessageId = Field(description="the web store's id of the address; a changed address keeps it")
    recipient: Text | None = Field(None, description="the name on the parcel, when not the customer's own")
    address: PostalAddress
    instructions: str | None = Field(None, max_length=200, description="delivery instructions (door code …)")


class WebStoreCustomerUpdate(Contract):
    update_id: MessageId = Field(description="unique per update; a repeated id is ignored")
    person_id: PersonId
    store: Slug = Field(description="the web store, e.g. s-kaupat, prisma-fi, sokos-fi")
    segment: str | None = Field(None, pattern=r"^[a-z0-9_-]{2,40}$",
                                description="the web store's customer segment of the customer, e.g. frequent")
    delivery_addresses: list[DeliveryAddress] = Field(default_factory=list, max_length=20,
                                                      description="every address the customer keeps there now")
    source_time: AwareDatetime = Field(description="when the web store recorded this state")

    @model_validator(mode="after")
    def _unique_addresses(self) -> "WebStoreCustomerUpdate":
        ids = [a.address_id for a in self.delivery_addresses]
        if len(ids) != len(set(ids)):
            raise ValueError("an address id appears twice")
        return self


class WebStoreOrder(Contract):
    order_id: MessageId = Field(description="unique per web store; with store, unique group-wide")
    store: Slug
    person_id: PersonId
    status: OrderStatus
    status_at: AwareDatetime = Field(description="when the order took this status")
    placed_at: AwareDatetime
    delivery_method: Literal["home_delivery", "pickup", "parcel_locker"]
    currency: Literal["EUR"]
    total_cents: int = Field(ge=0, description="order total in cents, VAT included")

    @model_validator(mode="after")
    def _ordered(self) -> "WebStoreOrder":
        if self.status_at < self.placed_at:
            raise ValueError("a status cannot precede the order")
        return self


class DigitalServiceOrder(Contract):
    event_id: MessageId = Field(description="unique per event; a repeated id is ignored")
    person_id: PersonId
    service: DigitalService
    item: Slug = Field(description="which newsletter or panel (e.g. prisma-weekly); s-mobiili for S-mobiili")
    action: Literal["ordered", "cancelled"]
    at: AwareDatetime


class CustomerContact(Contract):
    contact_id: MessageId = Field(description="customer service's id of the contact; a repeated id is ignored")
    person_id: PersonId
    channel: ContactChannel
    reason: str = Field(pattern=r"^[a-z0-9_-]{2,40}$", description="a reason code, e.g. card_lost")
    handler: MessageId = Field(description="the staff user id of whoever handled the contact")
    contacted_at: AwareDatetime
    notes: str | None = Field(None, max_length=4000,
                              description="the handler's free text: personal data, stored encrypted")
