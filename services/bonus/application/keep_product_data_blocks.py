"""Reaction: keep the households' no-collection block from consent.states.v1. A household that newly forbids
collecting product-level purchase data loses, from what is already booked, every exclusion naming a line or
its category (medicine, alcohol …) and those amounts in its months' exclusions by reason; the figures Bonus is
computed from stay. A tombstone (the person erased) drops the person's row."""
from __future__ import annotations

from typing import cast

from contracts.events.consent import ConsentState
from services.bonus.adapters import product_data
from services.bonus.adapters.product_data import ProductDataBlock
from shared.db import Connection
from shared.delivery import Incoming, tombstone_key


async def when_consent_changes_keep_product_data_blocks(conn: Connection, messages: list[Incoming]) -> None:
    # the delivery validated each against the topic's model
    states = [cast(ConsentState, m.data) for m in messages if m.data is not None]
    erased = [tombstone_key(m) for m in messages if m.data is None]
    if erased:
        await product_data.forget(conn, erased)
    newly_blocked = await product_data.keep_latest(conn, [
        ProductDataBlock(s.person_id, s.version, s.household_id, s.product_data_collection_blocked) for s in states])
    if newly_blocked:
        await product_data.remove_line_detail(conn, newly_blocked)
