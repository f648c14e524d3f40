"""The card commands of `cards.commands.v1`, each to its use case, in one transaction per batch.

A command that breaks a card rule is rejected with the rule's code (it goes to the DLQ with it); the
batch's transaction rolls back, so nothing of it is applied, and the delivery retries the others alone.
"""
from __future__ import annotations

from contracts.events.card_commands import (
    BlockCard,
    ExpireCards,
    IssueDigitalToken,
    LiftCardBlock,
    ReallocateCards,
    RegisterMemberNumber,
    ReplaceCard,
    SetCustomerCode,
    SetSCode,
)
from contracts.events.cards import IssueCard
from services.cards.application.block_card import block_card, lift_card_block
from services.cards.application.config import CardsConfig
from services.cards.application.credentials import set_customer_code, set_s_code
from services.cards.application.issue_card import issue_card, issue_digital_token
from services.cards.application.member_number import register_member_number
from services.cards.application.reallocate_cards import reallocate_cards
from services.cards.application.replace_card import replace_card
from services.cards.application.sweep import expire_cards
from shared.commands import UseCase, dispatch
from shared.db import Connection
from shared.delivery import Incoming

USE_CASES: dict[type, UseCase] = {
    IssueCard: issue_card, IssueDigitalToken: issue_digital_token, BlockCard: block_card,
    LiftCardBlock: lift_card_block, ReplaceCard: replace_card, ExpireCards: expire_cards,
    ReallocateCards: reallocate_cards, RegisterMemberNumber: register_member_number,
    SetCustomerCode: set_customer_code, SetSCode: set_s_code,
}


async def handle_card_commands(conn: Connection, messages: list[Incoming], config: CardsConfig) -> None:
    await dispatch(conn, messages, USE_CASES, config)
