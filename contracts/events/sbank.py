"""The two-way exchange of shared customers' base data with S-Bank (seed §6 and §8, domain.md §8).

- `sbank.customer-updates.v1` (`SbankCustomerUpdate`): published by S-Bank when a customer who is also
  in the register changes base data, permissions or prohibitions with S-Bank. Consumed by the membership
  service (names, address, phone, email, language) and the consent service (permissions, prohibitions).
- `register.sbank-updates.v1` (`RegisterSbankUpdate`): published by the register (membership and consent
  services, through their outboxes) when such a customer changes the same data with any S-Group company.
  Consumed by S-Bank.

Both topics are keyed by `sbank_customer_ref`, so one customer's updates stay in order.

An update carries only what changed: a field left out (or null) is unchanged; a contact detail the
customer removed is named in `removed`. `origin` says where the change was made, so neither side echoes
the other's change back: the register ignores an `SbankCustomerUpdate` with origin `register` (S-Bank
passing on what the register sent), and S-Bank does the same with the register's updates. When the same
field changed on both sides, the later `source_time` wins.

The identity code, when present, is in clear on the wire only: the consumer turns it into a keyed token
(blind index) at once and never stores or logs it in clear. The register matches by `sbank_customer_ref`
and uses the identity code only to link a customer it does not know under that reference yet.

On error the message goes to `<topic>.dlq` with a reason: `schema_violation` when this model rejects it
(the detail names the field, never the value), or a domain code of the consumer (e.g.
`invalid_identity_code` when the check character is wrong, `unknown_customer` when neither the reference
nor the identity code matches a person).
"""
from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from contracts.events.common import Contract
from contracts.events.fields import Email, IdentityCode, Language, MessageId, PersonName, Phone, PostalAddress

Removable = Literal["address", "phone", "email"]


class MarketingPermissions(Contract):
    """Opt-in consents for electronic direct marketing; a null member is unchanged."""

    email: bool | None = None
    sms: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> "MarketingPermissions":
        if self.email is None and self.sms is None:
            raise ValueError("permissions carry at least one of email, sms")
        return self


class MarketingProhibitions(Contract):
    """Blocks on direct marketing and market research (true = blocked); a null member is unchanged."""

    all_marketing: bool | None = Field(None, description="all direct marketing and surveys")
    direct_mail: bool | None = None
    telemarketing: bool | None = None
    surveys: bool | None = None

    @model_validator(mode="after")
    def _something(self) -> "MarketingProhibitions":
        if all(block is None for block in (self.all_marketing, self.direct_mail, self.telemarketing,
                                            self.surveys)):
            raise ValueError("prohibitions carry at least one block")
        return self


class SbankCustomerData(Contract):
    """The fields both directions share."""

    update_id: MessageId = Field(description="unique per update from its publisher; duplicates are ignored")
    sbank_customer_ref: str = Field(pattern=r"^[A-Za-z0-9-]{4,40}$",
                                    description="S-Bank's reference of the customer")
    identity_code: IdentityCode | None = None
    name: PersonName | None = None
    address: PostalAddress | None = Field(None, description="permanent postal address")
    phone: Phone | None = Field(None, description="mobile phone")
    email: Email | None = None
    language: Language | None = None
    permissions: MarketingPermissions | None = None
    prohibitions: MarketingProhibitions | None = None
    removed: list[Removable] = Field([], max_length=3, description="contact details the customer removed")
    source_time: AwareDatetime = Field(description="when the change was made at its origin")

    @model_validator(mode="after")
    def _one_change(self) -> "SbankCustomerData":
        changed = [name for name in ("name", "address", "phone", "email", "language", "permissions",
                                     "prohibitions") if getattr(self, name) is not None]
        if not changed and not self.removed:
            raise ValueError("an update changes or removes at least one field")
        if len(set(self.removed)) != len(self.removed):
            raise ValueError("removed names a field twice")
        if both := sorted(set(changed) & set(self.removed)):
            raise ValueError(f"{', '.join(both)} both set and removed")
        return self


class SbankCustomerUpdate(SbankCustomerData):
    """S-Bank → register."""

    origin: Literal["sbank", "register"] = Field(
        description="where the change was made; the register ignores its own changes coming back")


class RegisterSbankUpdate(SbankCustomerData):
    """Register → S-Bank."""

    origin: Literal["register"] = "register"
    causation_id: MessageId = Field(description="id of the register event that carried the change")
