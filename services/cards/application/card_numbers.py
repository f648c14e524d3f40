"""Card numbers in commands: checked and turned into their keyed token at once, then used only as that."""
from __future__ import annotations

from services.cards.adapters import cards
from services.cards.domain.card import Card
from services.cards.domain.card_number import check_card_number
from services.cards.domain.errors import CardRuleViolation
from shared.db import Connection
from shared.pseudonym import identifier_namespace, keyed_token


def tokenise(card_number: str, index_key: str) -> tuple[str, str]:
    """(keyed token, last four) of a valid card number; `invalid_card_number` otherwise."""
    check_card_number(card_number)
    return keyed_token(identifier_namespace("card"), card_number, index_key), card_number[-4:]


async def new_card_token(conn: Connection, card_number: str, index_key: str) -> tuple[str, str]:
    """The token and last four of a number no card has yet: a card number is unique."""
    token, last_four = tokenise(card_number, index_key)
    if await cards.exists(conn, token):
        raise CardRuleViolation("duplicate_card_number", "a card with this number exists already")
    return token, last_four


async def card_by_number(conn: Connection, card_number: str, index_key: str) -> Card:
    """The card with this number, loaded and locked; `unknown_card` if there is none."""
    token, _ = tokenise(card_number, index_key)
    card = await cards.load(conn, token)
    if card is None:
        raise CardRuleViolation("unknown_card", "no card has this number")
    return card
