"""Reaction: keep the product-data prohibitions the consent service publishes (household level). A household
that newly forbids collecting product-level data loses the line detail of its receipts already stored: the
lines and every exclusion naming a line (its category: medicine, alcohol …); the figures Bonus needs stay."""
from __future__ import annotations

from contracts.events.consent import ConsentState
from services.purchases.adapters import product_data, receipts
from shared.delivery import Incoming


async def when_consent_changes_keep_product_data_rules(conn, messages: list[Incoming]) -> None:
    # a tombstone (key: the person id): the person was erased, their projection row goes
    if erased := [m.record.key.decode() for m in messages if m.data is None and m.record.key]:
        await product_data.forget(conn, erased)
    states: list[ConsentState] = [m.data for m in messages if m.data is not None]
    newly_blocked = await product_data.keep_latest(conn, [
        (s.person_id, s.version, s.household_id, s.product_data_collection_blocked,
         s.product_data_targeting_blocked, s.product_data_services_blocked) for s in states])
    if newly_blocked:
        await receipts.remove_line_detail(conn, newly_blocked)
