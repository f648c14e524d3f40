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
  data: stored sealed under the person's own key (destroyed at erasure), erased 24 months after the contact.
- `webstore.saved-carts.v1` (`SavedCart`, key person id): the customer's saved cart in one web store as it
  stands at `saved_at` (every item; none: the cart was emptied or ordered). Only the current state is kept,
  per web store; an update older than the one applied is ignored. Erased 12 months after it was last changed.
- `digital.service-usage.v1` (`DigitalServiceUsage`, key person id): one identified use of a digital
  service of an S-Group company or a partner (a login or a use with the S-Etukortti, the S-code or the
  customer code): the service, the company, the channel and the time, no free text. Erased 12 months after
  the use.
- `digital.entered-data.v1` (`CustomerEnteredData`, key person id): a value the customer entered in a
  digital service (a preference, a free-text field), or its removal. Personal data: stored sealed under the
  person's own key; only the latest value of each field of each service is kept, erased 24 months after the
  customer last entered it.

Out of the digital service, to the membership service:
- `digital.customer-activity.v1` (`CustomerActivity`, key person id): the customer was active in the web stores
  or the digital services up to `last_active_at` (an order placed, a cart saved, a delivery address changed, a
  service ordered or cancelled, an identified login or use, a value entered). The membership service counts it
  as activity for the `inactive_customer` retention rule (a customer who never joined is erased 24 months after
  their last activity), without reading the digital service's tables. Sent at most about once a day per person
  (an activity less than a day later than the one reported is not sent again); only the pseudonymous person id
  and a time.

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
                              description="the handler's free text: personal data, stored sealed under the "
                                          "person's key")


class CartItem(Contract):
    product_id: MessageId = Field(description="the web store's product id or the GTIN/EAN")
    name: Text = Field(description="the product's name as the web store shows it")
    quantity: int = Field(ge=1, le=100000, description="pieces, or grams of a product sold by weight")
    unit: Literal["piece", "gram"] = "piece"
    unit_price_cents: int = Field(ge=0, description="price per piece (per kilogram for grams) in cents, VAT "
                                                    "included, when the cart was saved")


class SavedCart(Contract):
    update_id: MessageId = Field(description="unique per update; a repeated id is ignored")
    person_id: PersonId
    store: Slug
    items: list[CartItem] = Field(max_length=300, description="every item in the cart now; none: the cart was "
                                                             "emptied or turned into an order")
    currency: Literal["EUR"]
    saved_at: AwareDatetime = Field(description="when the web store recorded this state of the cart")

    @model_validator(mode="after")
    def _unique_products(self) -> "SavedCart":
        ids = [item.product_id for item in self.items]
        if len(ids) != len(set(ids)):
            raise ValueError("a product appears twice")
        return self


UsageChannel = Literal["web", "mobile_app", "in_store_device"]


class DigitalServiceUsage(Contract):
    event_id: MessageId = Field(description="unique per use; a repeated id is ignored")
    person_id: PersonId
    service: Slug = Field(description="the digital service used, e.g. s-kaupat, s-mobiili, yhteishyva")
    company: Slug = Field(description="the S-Group company or partner whose service it is, e.g. sok, hok-elanto")
    company_kind: Literal["s_group", "partner"]
    channel: UsageChannel
    identified_with: Literal["card", "s_code", "customer_code"] = Field(
        description="how the customer was identified: the S-Etukortti, the S-code or the customer code (the "
                    "identifier itself is never sent)")
    kind: Literal["login", "use"] = Field(description="a login, or a use of an identified session's function")
    at: AwareDatetime


class CustomerEnteredData(Contract):
    entry_id: MessageId = Field(description="unique per entry; a repeated id is ignored")
    person_id: PersonId
    service: Slug = Field(description="the digital service the customer entered it in")
    company: Slug = Field(description="the S-Group company or partner whose service it is")
    field: str = Field(pattern=r"^[a-z0-9_-]{2,40}$",
                       description="what the value is, a code of the service, e.g. dietary_preferences")
    value: str | None = Field(None, min_length=1, max_length=4000,
                              description="what the customer entered: personal data, stored sealed under the "
                                          "person's key; null: the customer removed it")
    entered_at: AwareDatetime


class CustomerActivity(Contract):
    person_id: PersonId
    last_active_at: AwareDatetime = Field(description="the latest time the customer was active in the web stores "
                                                      "or the digital services, as far as the digital service knows")
