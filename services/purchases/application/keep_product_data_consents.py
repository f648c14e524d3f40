"""Reaction: keep the product-data prohibitions the consent service publishes (household level). A household
that newly forbids collecting product-level data loses the line detail of its receipts already stored: the
lines and every exclusion naming a line (its category: medicine, alcohol …); the figures Bonus needs stay.
The same state carries the person's choice of e-receipts and block on warranty receipts: a block (on warranty
receipts, or the household's on product-level data in collection or in customer-specific services) also
takes what the receipts issued to the customer hold against it (`customer_receipts.honour_blocks`)."""
from __future__ import annotations

from typing import cast

from contracts.events.consent import ConsentState
from services.purchases.adapters import customer_receipts, product_data, receipts
from services.purchases.adapters.product_data import ProductDataConsent
from shared.db import Connection
from shared.delivery import Incoming, tombstone_key


async def when_consent_changes_keep_product_data_rules(conn: Connection, messages: list[Incoming]) -> None:
    # a tombstone (key: the person id): the person was erased, their projection row goes
    if erased := [tombstone_key(m) for m in messages if m.data is None]:
        await product_data.forget(conn, erased)
    # the delivery validated each against the topic's model
    states = [cast(ConsentState, m.data) for m in messages if m.data is not None]
    newly_blocked = await product_data.keep_latest(conn, [
        ProductDataConsent(s.person_id, s.version, s.household_id, s.product_data_collection_blocked,
                           s.product_data_targeting_blocked, s.product_data_services_blocked,
                           "e_receipts" in s.choices, "warranty_receipts" in s.blocks) for s in states])
    if newly_blocked:
        await receipts.remove_line_detail(conn, newly_blocked)
    await customer_receipts.honour_blocks(
        conn, persons=sorted({s.person_id for s in states if "warranty_receipts" in s.blocks}),
        households=sorted({s.household_id for s in states if s.household_id and (
            s.product_data_collection_blocked or s.product_data_services_blocked)}))
