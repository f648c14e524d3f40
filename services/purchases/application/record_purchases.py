"""Use case: record POS receipts once each, resolve them to a household, publish the accepted ones."""
from __future__ import annotations

import hashlib

import orjson

from contracts.events.pos import PosPurchase
from services.purchases.application.accepted import store_and_publish
from services.purchases.application.config import PurchasesConfig
from services.purchases.domain.eligibility import classify_receipt
from services.purchases.domain.product_data import lines_to_store
from shared.delivery import Incoming
from shared.pseudonym import identifier_namespace, keyed_token


def staging_row(purchase: PosPurchase, sent: bytes, config: PurchasesConfig) -> tuple:
    """`purchase`: the receipt as decoded (its contract, mostly as the strict struct: the same attributes);
    `sent`: the receipt's bytes as the POS sent them. A duplicate is the same bytes (a re-send or a
    redelivery); other content under the same id is a conflict."""
    # The contract has the attributes the rules read (see `Receipt`): classified as it arrived.
    eligibility = classify_receipt(purchase, config.rules)
    stored_lines = lines_to_store(purchase.lines, purchase.chain, config.collection_levels, False)
    ident = purchase.identifier
    return (
        purchase.receipt_id, hashlib.sha256(sent).digest(),
        purchase.purchased_at, purchase.outlet_id, purchase.chain, purchase.cooperative_id,
        keyed_token(identifier_namespace(ident.kind), ident.value, config.index_key), ident.value[-4:],
        purchase.total_cents, eligibility.bonus_eligible_cents, eligibility.fuel_cents,
        eligibility.fuel_millilitres, eligibility.payment_method_eligible_cents,
        orjson.dumps([e._asdict() for e in eligibility.excluded]).decode(),
        orjson.dumps(stored_lines).decode(), purchase.return_of,
    )


def prepare_receipt(message: Incoming, config: PurchasesConfig) -> tuple:
    """A consumed receipt's staging row, made before its transaction (the subscription's `prepare`)."""
    return staging_row(message.data, message.record.value, config)


async def record_purchases(conn, messages: list[Incoming], config: PurchasesConfig) -> int:
    """Returns how many were duplicates, ignored (counted on /metrics)."""
    rows = [m.prepared or prepare_receipt(m, config) for m in messages]  # handed ones are prepared here
    return await store_and_publish(conn, rows, [m.envelope for m in messages])
