"""`cards.card.v1` (compacted, key: card token) and `cards.commands.v1`."""
from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.events.common import Contract

CardType = Literal["cash_card", "visa_debit", "visa_credit_debit", "visa_credit", "digital_token"]


class AllocationPeriod(Contract):
    """Whose the identifier was, and to which household its Bonus purchases went, over [valid_from, valid_to)."""

    person_id: str
    household_id: str | None
    cooperative_id: str | None
    valid_from: AwareDatetime
    valid_to: AwareDatetime | None = None
    usable: bool = Field(True, description="false while blocked or expired")


class CardState(Contract):
    """The card's current state with its whole allocation history, so compaction loses nothing needed."""

    card_token: str
    last_four: str = Field(pattern=r"^[0-9]{4}$")
    card_type: CardType
    status: Literal["active", "temporarily_blocked", "blocked", "expired", "replaced"]
    history: list[AllocationPeriod] = Field(min_length=1)


class IssueCard(Contract):
    """Command: issue a card (the number arrives once, is tokenised and never stored)."""

    card_number: str = Field(pattern=r"^[0-9]{12,19}$")
    card_type: CardType
    person_id: str
    household_id: str | None
    cooperative_id: str
    membership_id: str = Field(description="the cooperative membership the card was ordered under")
    valid_from: AwareDatetime
