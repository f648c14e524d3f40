"""Job: receipts whose identifier stayed unknown past the parking horizon are reported to operators.

They are neither dropped nor guessed: a card that turns up later still resolves them (and the Bonus of a
closed month becomes an adjustment). The horizon is configurable (`PurchasesConfig.parking_horizon_days`).
"""
from __future__ import annotations

import asyncio

from services.purchases.adapters import receipts
from services.purchases.application.config import PurchasesConfig
from shared.logging import get_logger

log = get_logger(job="report_unresolved")


async def run_parking_report(pool, config: PurchasesConfig, stop: asyncio.Event, every_seconds: float = 300) -> None:
    while not stop.is_set():
        async with pool.acquire() as conn:
            expired = await receipts.expire_unresolved(conn, config.parking_horizon_days)
        if expired:
            log.warning("receipts unresolved past the parking horizon", receipts=expired,
                        horizon_days=config.parking_horizon_days)
        try:
            await asyncio.wait_for(stop.wait(), every_seconds)
        except asyncio.TimeoutError:
            pass
