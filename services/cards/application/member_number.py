"""Use case: register a person's member (customer) number, an identifier distinct from the card numbers.

It is tokenised in its own namespace, as the purchases service tokenises a POS `member_number`
identifier, and published on `cards.card.v1` like a card, so receipts identified by it resolve to the
person's household at purchase time."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.card_commands import RegisterMemberNumber
from services.cards.adapters import cards, identifiers
from services.cards.application.config import CardsConfig
from services.cards.application.publish import save_and_publish
from services.cards.domain.card import Card
from services.cards.domain.errors import CardRuleViolation
from shared.db import Connection
from shared.pseudonym import identifier_namespace, keyed_token


def member_number_token(member_number: str, index_key: str) -> str:
    return keyed_token(identifier_namespace("member_number"), member_number, index_key)


async def register_member_number(conn: Connection, command: RegisterMemberNumber, cause: Envelope,
                                 config: CardsConfig) -> None:
    token = member_number_token(command.member_number, config.index_key)
    if await cards.exists(conn, token):
        raise CardRuleViolation("duplicate_member_number", "this member number is registered already")
    if await identifiers.member_number_of(conn, command.person_id) is not None:
        raise CardRuleViolation("person_has_member_number", "the person has a member number already")
    number = Card.register_member_number(
        card_token=token, last_four=command.member_number[-4:], person_id=command.person_id,
        household_id=command.household_id, cooperative_id=command.cooperative_id,
        membership_id=command.membership_id, at=command.valid_from)
    await save_and_publish(conn, [number], cause)
    await identifiers.save_member_number(conn, command.person_id, token, command.valid_from)
