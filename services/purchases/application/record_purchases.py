"""Use case: record POS receipts once each, resolve them to a household, publish the accepted ones."""
from __future__ import annotations

import hashlib
from typing import Protocol, cast

import orjson

from contracts.events.pos import PosPurchase
from services.purchases.adapters.receipts import ReceiptRow
from services.purchases.application.accepted import store_and_publish
from services.purchases.application.config import PurchasesConfig
from services.purchases.domain.eligibility import classify_receipt
from services.purchases.domain.product_data import lines_to_store
from services.purchases.domain.warranty import warranty_months
from shared.db import Connection
from shared.delivery import Incoming
from shared.pseudonym import identifier_namespace, keyed_token


def staging_row(purchase: PosPurchase, sent: bytes, config: PurchasesConfig, correlation: str) -> ReceiptRow:
    """`purchase`: the receipt as decoded (its contract, mostly as the strict struct: the same attributes);
    `sent`: the receipt's bytes as the POS sent them. A duplicate is the same bytes (a re-send or a
    redelivery); other content under the same id is a conflict. `correlation`: the one its event keeps."""
    # The contract has the attributes the rules read (see `Receipt`): classified as it arrived.
    eligibility = classify_receipt(purchase, config.rules)
    stored_lines = lines_to_store(purchase.lines, purchase.chain, config.collection_levels, False)
    ident = purchase.identifier
    return ReceiptRow(
        receipt_id=purchase.receipt_id, content_hash=hashlib.sha256(sent).digest(),
        purchased_at=purchase.purchased_at, outlet_id=purchase.outlet_id, chain=purchase.chain,
        outlet_cooperative=purchase.cooperative_id,
        identifier_token=keyed_token(identifier_namespace(ident.kind), ident.value, config.index_key),
        identifier_last4=ident.value[-4:], total_cents=purchase.total_cents,
        bonus_eligible_cents=eligibility.bonus_eligible_cents, fuel_cents=eligibility.fuel_cents,
        fuel_millilitres=eligibility.fuel_millilitres,
        payment_method_eligible_cents=eligibility.payment_method_eligible_cents,
        excluded=orjson.dumps([e._asdict() for e in eligibility.excluded]).decode(),
        lines=orjson.dumps(stored_lines).decode(), return_of=purchase.return_of, card_entry=ident.entry,
        payments=orjson.dumps([{"method": p.method, "amount_cents": p.amount_cents}
                               for p in purchase.payments]).decode(),
        staff_discount_cents=purchase.staff_discount_cents,
        # kept as a warranty receipt only if its lines are kept at all (a chain at receipt-total level: none)
        warranty_months=warranty_months(purchase.lines, config.warranty) if stored_lines else None,
        correlation_id=correlation)


class _SentRecord(Protocol):
    value: bytes  # a receipt as the POS sent it: the topic has no tombstones


def prepare_receipt(message: Incoming, config: PurchasesConfig) -> ReceiptRow:
    """A consumed receipt's staging row, made before its transaction (the subscription's `prepare`)."""
    # the delivery validated the receipt against the topic's model
    return staging_row(cast(PosPurchase, message.data), cast(_SentRecord, message.record).value, config,
                       message.envelope.correlation)


def _prepared(message: Incoming, config: PurchasesConfig) -> ReceiptRow:
    """The row `prepare_receipt` made of a consumed receipt before its transaction; a handed one's, made here."""
    if message.prepared is None:
        return prepare_receipt(message, config)
    return cast(ReceiptRow, message.prepared)  # the subscription's `prepare` is prepare_receipt


async def record_purchases(conn: Connection, messages: list[Incoming], config: PurchasesConfig) -> int:
    """Returns how many were duplicates, ignored (counted on /metrics)."""
    return await store_and_publish(conn, [_prepared(m, config) for m in messages])
