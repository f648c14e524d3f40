"""Use case: replace a card (lost, damaged or renewed) with a new one; the two are linked both ways."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.card_commands import ReplaceCard
from services.cards.application.card_numbers import card_by_number, new_card_token
from services.cards.application.config import CardsConfig
from services.cards.application.publish import save_and_publish
from services.cards.domain.card import CardType
from shared.db import Connection


async def replace_card(conn: Connection, command: ReplaceCard, cause: Envelope, config: CardsConfig) -> None:
    old = await card_by_number(conn, command.card_number, config.index_key)
    token, last_four = await new_card_token(conn, command.new_card_number, config.index_key)
    card_type = CardType(command.new_card_type) if command.new_card_type else None
    new = old.issue_replacement(card_token=token, last_four=last_four, at=command.replaced_at,
                                card_type=card_type, terms=config.terms)
    await save_and_publish(conn, [old, new], cause)
