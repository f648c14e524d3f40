"""A receipt and its card's state arriving at the same moment (two consumers, two transactions): whichever
commits second must see the first, so the receipt is never left waiting for a card that is already known."""
from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone

from coopreg.simulate.receipts import pos_purchase
from services.purchases.adapters import receipts
from services.purchases.application.apply_card_state import when_card_changes_resolve_waiting_receipts
from services.purchases.application.config import PurchasesConfig
from services.purchases.application.record_purchases import record_purchases
from tests.integration.test_receipts import T0, accepted_for, card_state, fresh_number
from tests.support.factories import incoming


async def status_of(pool, receipt_id: str) -> str:
    return await pool.fetchval("SELECT status FROM receipts WHERE receipt_id = $1", receipt_id)


async def test_a_card_arriving_while_its_receipt_is_being_stored_resolves_the_receipt(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=2), [("grocery", 1200)])
    async with pool.acquire() as receipts_conn:
        # the receipt is stored (its card still unknown) but not yet committed ...
        storing = receipts_conn.transaction()
        await storing.start()
        await record_purchases(receipts_conn, [incoming(receipt)], config)

        async def apply_card():
            async with pool.acquire() as conn, conn.transaction():
                await when_card_changes_resolve_waiting_receipts(
                    conn, [incoming(card_state(config, number, ("p1", "h-race", T0, None)))])
        # ... when the card's state is applied by the other consumer
        card = asyncio.create_task(apply_card())
        await asyncio.sleep(0.5)
        await storing.commit()
        await asyncio.wait_for(card, 10)
    assert await status_of(pool, receipt.receipt_id) == "accepted"
    assert [a["household_id"] for a in await accepted_for(pool, receipt.receipt_id)] == ["h-race"]


async def test_a_receipt_arriving_while_its_card_is_being_applied_resolves_at_once(settings, pools):
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, T0 + timedelta(days=2), [("grocery", 800)])
    async with pool.acquire() as cards_conn:
        # the card's state is applied but not yet committed ...
        applying = cards_conn.transaction()
        await applying.start()
        await when_card_changes_resolve_waiting_receipts(
            cards_conn, [incoming(card_state(config, number, ("p2", "h-race-2", T0, None)))])

        async def store_receipt():
            async with pool.acquire() as conn, conn.transaction():
                await record_purchases(conn, [incoming(receipt)], config)
        # ... when the receipt is stored by the other consumer
        storing = asyncio.create_task(store_receipt())
        await asyncio.sleep(0.5)
        await applying.commit()
        await asyncio.wait_for(storing, 10)
    assert await status_of(pool, receipt.receipt_id) == "accepted"
    assert [a["household_id"] for a in await accepted_for(pool, receipt.receipt_id)] == ["h-race-2"]


async def test_a_receipt_of_a_new_month_waits_for_a_card_change_without_deadlock(settings, pools):
    """A card change holds its identifier's lock and is about to update receipts, while a receipt of the
    same identifier needs a month's first partition (which locks the receipts table until its commit):
    the receipt must wait for the identifier before it makes the partition, or the two deadlock."""
    pool = pools["purchases"]
    config = PurchasesConfig(settings.secrets.index_key.get_secret_value())
    number = fresh_number()
    state = card_state(config, number, ("p-dl", "h-dl", T0, None))
    receipt = pos_purchase(f"r-{uuid.uuid4().hex}", number, datetime(2041, 3, 5, tzinfo=timezone.utc),
                           [("grocery", 800)])
    assert await pool.fetchval("SELECT to_regclass('receipts_2041_03')") is None  # its month is new
    async with pool.acquire() as card_conn, pool.acquire() as receipt_conn:
        changing = card_conn.transaction()
        await changing.start()
        await receipts.lock_identifiers_for_card_changes(card_conn, [state.card_token])

        async def store():
            async with receipt_conn.transaction():
                await record_purchases(receipt_conn, [incoming(receipt)], config)
        storing = asyncio.create_task(store())
        await asyncio.sleep(0.5)  # the receipt is waiting for the identifier's lock by now
        await when_card_changes_resolve_waiting_receipts(card_conn, [incoming(state)])  # updates receipts
        await changing.commit()
        await asyncio.wait_for(storing, 10)
    assert await status_of(pool, receipt.receipt_id) == "accepted"
