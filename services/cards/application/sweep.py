"""Use case: settle what time alone changes — a temporary block not lifted within three months closes for
good, a card past its validity expires. Run on a schedule by the service (`run_card_sweeper`) and on
request (`ExpireCards`); sweeping twice changes nothing the second time."""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from functools import partial

from contracts.envelope import Envelope
from contracts.events.card_commands import ExpireCards
from services.cards.adapters import cards
from services.cards.application.config import CardsConfig
from services.cards.application.publish import save_and_publish
from shared.db import Connection
from shared.jobs import periodically
from shared.logging import get_logger

log = get_logger(use_case="sweep_cards")


async def sweep_chunk(conn: Connection, now: datetime, limit: int, cause: Envelope | None) -> tuple[int, int]:
    """Apply the deadlines passed by `now` to up to `limit` due cards, publishing the changed ones;
    (cards found, cards changed)."""
    due = await cards.due_for_sweep(conn, now, limit)
    for card in due:
        card.apply_deadlines(now)
    changed = [card for card in due if card.events]
    await save_and_publish(conn, changed, cause)
    return len(due), len(changed)


async def expire_cards(conn: Connection, command: ExpireCards, cause: Envelope, config: CardsConfig) -> None:
    while True:
        found, changed = await sweep_chunk(conn, command.as_of, config.sweep_chunk, cause)
        if found < config.sweep_chunk or not changed:
            return


async def sweep_due_cards(pool, config: CardsConfig, now: datetime | None = None) -> int:
    """Sweep in chunks of one transaction each (other instances skip the locked cards); cards changed."""
    now, changed = now or datetime.now(timezone.utc), 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            found, swept = await sweep_chunk(conn, now, config.sweep_chunk, None)
        changed += swept
        if found < config.sweep_chunk or not swept:
            return changed


async def sweep_and_report(pool, config: CardsConfig) -> None:
    if changed := await sweep_due_cards(pool, config):
        log.info("cards swept", cards=changed)


async def run_card_sweeper(pool, config: CardsConfig, stop: asyncio.Event) -> None:
    """Background job: sweep now and every `config.sweep_every_seconds` until the service stops."""
    await periodically(stop, config.sweep_every_seconds, partial(sweep_and_report, pool, config))
