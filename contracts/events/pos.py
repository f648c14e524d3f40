"""`pos.purchases.v1`: what POS systems publish, one message per receipt (or return)."""
from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, model_validator

from contracts.events.common import Contract

Category = Literal[
    "grocery", "general", "alcohol", "tobacco", "gift_card", "deposit", "stamps", "gambling",
    "prepaid_topup", "fuel", "medicine", "car", "car_service", "service", "invoiced",
]
PaymentMethod = Literal[
    "s_etukortti_debit", "s_etukortti_credit", "other_card", "cash", "gift_card", "company_card",
    "invoice", "employee_benefit", "mobile_pay",
]


class Identifier(Contract):
    """How the customer identified: the S-Etukortti card (or a wallet token of it) or the member number."""

    kind: Literal["card", "digital_token", "member_number"]
    value: str = Field(pattern=r"^[0-9]{6,19}$", description="digits only; never logged or stored in clear")
    entry: Literal["chip", "contactless", "swipe", "barcode", "wallet", "manual", "online"]


class ReceiptLine(Contract):
    line_no: int = Field(ge=1)
    product_id: str = Field(min_length=1, max_length=64)
    product_group: str = Field(min_length=1, max_length=64)
    category: Category
    quantity_milli: int = Field(description="thousandths of the unit; negative on a return")
    unit: Literal["pcs", "kg", "l"] = "pcs"
    amount_cents: int = Field(description="line total after discounts, VAT included; negative on a return")


class Payment(Contract):
    method: PaymentMethod
    amount_cents: int


class PosPurchase(Contract):
    receipt_id: str = Field(pattern=r"^[A-Za-z0-9._:-]{1,64}$", description="unique per receipt, group-wide")
    outlet_id: str = Field(min_length=1, max_length=32)
    chain: str = Field(pattern=r"^[a-z0-9-]{2,32}$")
    cooperative_id: str = Field(pattern=r"^[a-z0-9-]{2,32}$", description="the outlet's cooperative")
    channel: Literal["store", "online"] = "store"
    abroad: bool = False
    purchased_at: AwareDatetime
    currency: Literal["EUR"]
    identifier: Identifier
    total_cents: int
    lines: list[ReceiptLine] = Field(min_length=1, max_length=2000)
    payments: list[Payment] = Field(min_length=1, max_length=20)
    return_of: str | None = Field(None, description="the original receipt id when this is a return")
    staff_discount_cents: int | None = Field(
        None, ge=1, description="the staff discount the cashier gave on this receipt (VAT included; on a return, "
                                "the discount of the goods returned); absent: none. The register checks it against "
                                "the customer's staff discount right from HR and flags one given without it")

    @model_validator(mode="after")
    def _totals_add_up(self) -> "PosPurchase":
        if sum(line.amount_cents for line in self.lines) != self.total_cents:
            raise ValueError("lines do not add up to total_cents")
        if sum(p.amount_cents for p in self.payments) != self.total_cents:
            raise ValueError("payments do not add up to total_cents")
        if len({line.line_no for line in self.lines}) != len(self.lines):
            raise ValueError("line_no repeats within the receipt")
        if (self.return_of is None) != (self.total_cents >= 0):
            raise ValueError("a return has return_of and a negative total; a sale has neither")
        return self
