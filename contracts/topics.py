"""The topic registry: every topic, its key, its payload model, cleanup policy and retention.

Names follow ``<domain>.<entity>.v<N>``; a breaking change makes a new version. Every topic has a
dead-letter companion ``<name>.dlq`` that keeps the original bytes and headers with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from contracts.events.bonus import BonusMonthClosed, BonusPayout, CloseBonusMonth
from contracts.events.cards import CardState, IssueCard
from contracts.events.pos import PosPurchase
from contracts.events.purchases import PurchaseAccepted

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class Topic:
    name: str
    key: str
    model: type[BaseModel]
    description: str
    cleanup: Literal["delete", "compact"] = "delete"
    retention_ms: int = 14 * DAY_MS
    external: bool = False

    @property
    def dlq(self) -> str:
        return f"{self.name}.dlq"

    @property
    def event_type(self) -> str:
        return f"coopreg.{self.model.__name__}"


POS_PURCHASES = Topic("pos.purchases.v1", "receipt id", PosPurchase,
                      "Receipts from S-Group outlets' POS systems", retention_ms=7 * DAY_MS, external=True)
PURCHASES_ACCEPTED = Topic("purchases.accepted.v1", "household id", PurchaseAccepted,
                           "Identified purchases resolved to the household they belonged to at purchase time")
CARD_STATE = Topic("cards.card.v1", "card token", CardState,
                   "Current state of each card with its allocation history", cleanup="compact", retention_ms=-1)
CARD_COMMANDS = Topic("cards.commands.v1", "person id", IssueCard, "Card operations for the cards service")
BONUS_COMMANDS = Topic("bonus.commands.v1", "month", CloseBonusMonth, "Month close requests")
BONUS_PAYOUTS = Topic("bonus.payouts.v1", "household id", BonusPayout,
                      "Bonus, payment-method benefit and Fuel Bonus transactions to S-Bank", external=True)
BONUS_MONTHS = Topic("bonus.months.v1", "month", BonusMonthClosed, "A month close has completed")

ALL: tuple[Topic, ...] = (POS_PURCHASES, PURCHASES_ACCEPTED, CARD_STATE, CARD_COMMANDS, BONUS_COMMANDS,
                          BONUS_PAYOUTS, BONUS_MONTHS)
BY_NAME = {topic.name: topic for topic in ALL}
