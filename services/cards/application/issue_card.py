"""Use case: issue an S-Etukortti card (or register a member-number identifier) to a person."""
from __future__ import annotations

from contracts.events.cards import IssueCard
from services.cards.adapters import cards
from services.cards.application.publish import card_state_event
from services.cards.domain.card import Card, CardType
from services.cards.domain.card_number import check_card_number, last_four
from services.cards.domain.errors import CardRuleViolation
from shared import outbox
from shared.delivery import Incoming, Rejected
from shared.pseudonym import identifier_namespace, keyed_token


async def issue_cards(conn, messages: list[Incoming], index_key: str) -> None:
    events = []
    for message in messages:
        command: IssueCard = message.data
        try:
            card = await _issue(conn, command, index_key)
        except CardRuleViolation as violation:
            raise Rejected(violation.code, str(violation)) from None
        history = list(card.events)
        await cards.save(conn, card)
        events.append(card_state_event(card, history, message.envelope))
    await outbox.add(conn, events)


async def _issue(conn, command: IssueCard, index_key: str) -> Card:
    check_card_number(command.card_number)
    token = keyed_token(identifier_namespace("card"), command.card_number, index_key)
    if await cards.exists(conn, token):
        raise CardRuleViolation("duplicate_card_number", "a card with this number exists already")
    return Card.issue(card_token=token, last_four=last_four(command.card_number),
                      card_type=CardType(command.card_type),
                      person_id=command.person_id, household_id=command.household_id,
                      cooperative_id=command.cooperative_id, membership_id=command.membership_id,
                      at=command.valid_from)
