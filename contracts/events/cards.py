"""`cards.card.v1` (compacted, key: card token) and the `IssueCard` command of `cards.commands.v1`
(the other card commands and the union the topic carries are in `contracts.events.card_commands`)."""
from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from contracts.events.common import Contract

# What `IssueCard` can issue; a digital token is issued for its parent card (`IssueDigitalToken`).
IssuedCardType = Literal["cash_card", "visa_debit", "visa_credit_debit", "visa_credit", "digital_token"]
# Every identifier on `cards.card.v1`: the cards, and the member number, which identifies a person online
# and with partners and is not a card.
CardType = Literal["cash_card", "visa_debit", "visa_credit_debit", "visa_credit", "digital_token", "member_number"]
CardStatus = Literal["active", "temporarily_blocked", "blocked", "expired", "replaced"]
BlockReason = Literal["lost", "stolen", "suspected_misuse", "temporary_by_owner", "temporary_block_lapsed",
                      "holder_left_household", "owner_request"]


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
    status: CardStatus
    history: list[AllocationPeriod] = Field(min_length=1)
    valid_until: AwareDatetime | None = Field(None, description="end of validity; none for an open-ended card")
    block_reason: BlockReason | None = Field(None, description="why the card is blocked, while it is")
    parent_card_token: str | None = Field(None, description="the card a digital token was issued for")
    replaces: str | None = Field(None, description="the card token this card replaced")
    replaced_by: str | None = Field(None, description="the card token that replaced this card")


class IssueCard(Contract):
    """Command: issue a card (the number arrives once, is tokenised and never stored)."""

    command: Literal["issue_card"] = "issue_card"
    card_number: str = Field(pattern=r"^[0-9]{12,19}$", repr=False)
    card_type: IssuedCardType
    person_id: str
    household_id: str | None
    cooperative_id: str
    membership_id: str = Field(description="the cooperative membership the card was ordered under")
    valid_from: AwareDatetime
