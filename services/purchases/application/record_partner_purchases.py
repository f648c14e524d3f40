"""Use case: record partner purchases (receipt totals) once each, resolved through the member number."""
from __future__ import annotations

import hashlib
from typing import cast

import orjson

from contracts.events.partner import PartnerPurchase
from services.purchases.adapters.receipts import ReceiptRow
from services.purchases.application.accepted import store_and_publish
from services.purchases.application.config import PurchasesConfig
from services.purchases.domain.eligibility import classify_partner_purchase
from shared.db import Connection
from shared.delivery import Incoming
from shared.pseudonym import identifier_namespace, keyed_token

PARTNER_CHAIN = "partner"


def partner_receipt_id(partner_id: str, purchase_id: str) -> str:
    """Partners number their own purchases: the register's receipt id is qualified by the partner."""
    return f"partner:{partner_id}:{purchase_id}"


def partner_row(purchase: PartnerPurchase, config: PurchasesConfig, correlation: str) -> ReceiptRow:
    # Classified as credited: whether the customer was registered with the partner at purchase time is
    # known only once the member number resolves to a person, so the statement that resolves the batch
    # takes the Bonus back from an unregistered one (adapters/receipts.py, PARTNER_UNREGISTERED). A number
    # the register does not know waits like any unknown identifier.
    eligibility = classify_partner_purchase(purchase.total_cents, partner_registered=True)
    return ReceiptRow(
        receipt_id=partner_receipt_id(purchase.partner_id, purchase.purchase_id),
        content_hash=hashlib.sha256(purchase.model_dump_json().encode()).digest(),
        purchased_at=purchase.purchased_at, outlet_id=purchase.partner_id, chain=PARTNER_CHAIN,
        outlet_cooperative=PARTNER_CHAIN,
        identifier_token=keyed_token(identifier_namespace("member_number"), purchase.member_number, config.index_key),
        identifier_last4=purchase.member_number[-4:], total_cents=purchase.total_cents,
        bonus_eligible_cents=eligibility.bonus_eligible_cents, fuel_cents=0, fuel_millilitres=0,
        payment_method_eligible_cents=0,
        excluded=orjson.dumps([e._asdict() for e in eligibility.payment_method_excluded]).decode(), lines="[]",
        return_of=partner_receipt_id(purchase.partner_id, purchase.refund_of) if purchase.refund_of else None,
        card_entry=None, payments=None, staff_discount_cents=None, warranty_months=None,
        correlation_id=correlation)


async def record_partner_purchases(conn: Connection, messages: list[Incoming], config: PurchasesConfig) -> None:
    # the delivery validated each purchase against the topic's model
    await store_and_publish(conn, [partner_row(cast(PartnerPurchase, m.data), config, m.envelope.correlation)
                                   for m in messages])
