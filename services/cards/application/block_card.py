"""Use cases: block a card for a reason, and lift a temporary block."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.card_commands import BlockCard, LiftCardBlock
from services.cards.application.card_numbers import card_by_number
from services.cards.application.config import CardsConfig
from services.cards.application.publish import save_and_publish
from services.cards.domain.card import BlockReason
from shared.db import Connection


async def block_card(conn: Connection, command: BlockCard, cause: Envelope, config: CardsConfig) -> None:
    card = await card_by_number(conn, command.card_number, config.index_key)
    card.block(BlockReason(command.reason), command.blocked_at, config.terms)
    await save_and_publish(conn, [card], cause)


async def lift_card_block(conn: Connection, command: LiftCardBlock, cause: Envelope, config: CardsConfig) -> None:
    card = await card_by_number(conn, command.card_number, config.index_key)
    card.lift_block(command.lifted_at)
    await save_and_publish(conn, [card], cause)
