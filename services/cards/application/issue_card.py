"""Use cases: issue an S-Etukortti card to a person, and a digital token (wallet, mobile barcode) of a card."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.card_commands import IssueDigitalToken
from contracts.events.cards import IssueCard
from services.cards.application.card_numbers import card_by_number, new_card_token
from services.cards.application.config import CardsConfig
from services.cards.application.publish import save_and_publish
from services.cards.domain.card import Card, CardType
from shared.db import Connection


async def issue_card(conn: Connection, command: IssueCard, cause: Envelope, config: CardsConfig) -> None:
    token, last_four = await new_card_token(conn, command.card_number, config.index_key)
    card = Card.issue(card_token=token, last_four=last_four, card_type=CardType(command.card_type),
                      person_id=command.person_id, household_id=command.household_id,
                      cooperative_id=command.cooperative_id, membership_id=command.membership_id,
                      at=command.valid_from, terms=config.terms)
    await save_and_publish(conn, [card], cause)


async def issue_digital_token(conn: Connection, command: IssueDigitalToken, cause: Envelope,
                              config: CardsConfig) -> None:
    parent = await card_by_number(conn, command.parent_card_number, config.index_key)
    token, last_four = await new_card_token(conn, command.token_number, config.index_key)
    digital = Card.issue_digital_token(parent, card_token=token, last_four=last_four, at=command.issued_at)
    await save_and_publish(conn, [digital], cause)
