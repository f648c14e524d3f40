"""`partner.purchases.v1`: receipt totals from Bonus-granting partners, one message per purchase or refund.

Published by partners that grant Bonus on what they invoice or sell (for example Elisa, LähiTapiola,
Vantaa Energy) for customers who gave them their S-Group member or customer number. Partners send the
**total only**: the register keeps partner purchases at receipt-total level (domain.md §1.5), so no product
lines are accepted. Consumed by the purchases service, which resolves the number to the household it
belonged to at `purchased_at` and passes the purchase on to Bonus.

On error the message goes to `partner.purchases.v1.dlq` with a reason: `schema_violation` when this model
rejects it (the detail names the field, never the value), or a domain code from the purchases service
(e.g. an unknown partner or member number). A re-sent identical message (same partner and purchase id,
same content) is ignored; the same purchase id with different content is flagged as a conflict, not merged.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from contracts.events.common import Contract
from contracts.events.fields import MessageId, Slug


class InvoicePeriod(Contract):
    """The period an invoiced service covers (e.g. a phone subscription month); both days inclusive."""

    first_day: date
    last_day: date

    @model_validator(mode="after")
    def _ordered(self) -> "InvoicePeriod":
        if self.last_day < self.first_day:
            raise ValueError("invoice period ends before it starts")
        return self


class PartnerPurchase(Contract):
    purchase_id: MessageId = Field(description="unique per partner; with partner_id, unique group-wide")
    partner_id: Slug = Field(description="the partner as registered with S-Group, e.g. elisa, lahitapiola")
    member_number: str = Field(pattern=r"^[0-9]{6,19}$",
                               description="the member or customer number the customer gave; digits only")
    purchased_at: AwareDatetime = Field(description="purchase or invoice time; decides the Bonus month")
    currency: Literal["EUR"]
    total_cents: int = Field(description="receipt total in cents, VAT included; negative for a refund")
    refund_of: MessageId | None = Field(None, description="the refunded purchase id of the same partner")
    invoice_period: InvoicePeriod | None = None

    @model_validator(mode="after")
    def _refund_rules(self) -> "PartnerPurchase":
        if (self.refund_of is None) != (self.total_cents >= 0):
            raise ValueError("a refund has refund_of and a negative total; a purchase has neither")
        if self.refund_of == self.purchase_id:
            raise ValueError("a refund cannot refund itself")
        return self
