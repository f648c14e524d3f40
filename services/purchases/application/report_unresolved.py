"""Job: receipts waiting for card data are resolved as soon as it is there, and reported past a horizon.

A receipt and the card data it waits for are handled by two consumers in concurrent transactions: a
receipt stored while its card's allocation is being written (neither sees the other uncommitted) would
wait for ever. This job resolves whatever can be resolved now, every few seconds, so that race costs a
few seconds, never a purchase. Receipts whose identifier stays unknown past the parking horizon are
reported — neither dropped nor guessed: a card that turns up later still resolves them. Only a receipt for
the card of a person erased here (`erased_cards`) is dropped.
"""
from __future__ import annotations

import asyncio
from functools import partial

from services.purchases.adapters import erased_cards, receipts
from services.purchases.application.accepted import resolve_and_publish
from services.purchases.application.config import PurchasesConfig
from shared.jobs import periodically
from shared.logging import get_logger

log = get_logger(job="unresolved_receipts")


async def resolve_and_report(pool, config: PurchasesConfig) -> tuple[int, int]:
    async with pool.acquire() as conn, conn.transaction():
        resolved = await resolve_and_publish(conn)
        # stored beside the card's erasure (neither saw the other): as if it had come after it
        dropped = await erased_cards.drop_waiting(conn)
        await erased_cards.forget_marks(conn, config.parking_horizon_days)
        expired = await receipts.expire_unresolved(conn, config.parking_horizon_days)
    if dropped:
        log.info("receipts of erased persons' cards dropped", receipts=dropped)
    if expired:
        log.warning("receipts unresolved past the parking horizon", receipts=expired,
                    horizon_days=config.parking_horizon_days)
    return resolved, expired


async def run_unresolved_sweeper(pool, config: PurchasesConfig, stop: asyncio.Event) -> None:
    await periodically(stop, config.resolve_every_seconds, partial(resolve_and_report, pool, config))
