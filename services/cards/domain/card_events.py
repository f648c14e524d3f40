"""What a card is and what can happen to it: its kinds, statuses, block reasons and recorded events.

The events are the card's history: the aggregate is rebuilt from them (`rebuild.card_from_events`) and
its allocation periods are derived from them (`allocation.periods_from_events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class CardType(StrEnum):
    CASH_CARD = "cash_card"  # benefits only, no expiry
    VISA_DEBIT = "visa_debit"
    VISA_CREDIT_DEBIT = "visa_credit_debit"  # combination card
    VISA_CREDIT = "visa_credit"
    DIGITAL_TOKEN = "digital_token"  # wallet token or mobile barcode of a parent card
    MEMBER_NUMBER = "member_number"  # identifies the person online and with partners; not a card


PAYMENT_CARD_TYPES = frozenset({CardType.VISA_DEBIT, CardType.VISA_CREDIT_DEBIT, CardType.VISA_CREDIT})


class CardStatus(StrEnum):
    ACTIVE = "active"
    TEMPORARILY_BLOCKED = "temporarily_blocked"
    BLOCKED = "blocked"
    EXPIRED = "expired"
    REPLACED = "replaced"


class BlockReason(StrEnum):
    LOST = "lost"
    STOLEN = "stolen"
    SUSPECTED_MISUSE = "suspected_misuse"
    TEMPORARY_BY_OWNER = "temporary_by_owner"
    TEMPORARY_BLOCK_LAPSED = "temporary_block_lapsed"  # set by the rules, never requested
    HOLDER_LEFT_HOUSEHOLD = "holder_left_household"
    OWNER_REQUEST = "owner_request"


@dataclass(frozen=True)
class CardIssued:
    card_token: str
    last_four: str
    card_type: CardType
    person_id: str
    household_id: str | None
    cooperative_id: str
    membership_id: str
    valid_from: datetime
    valid_until: datetime | None
    parent_card_token: str | None
    has_payment_features: bool | None = None  # None in histories recorded before it was: from the type
    replaces: str | None = None

    @property
    def at(self) -> datetime:
        return self.valid_from


@dataclass(frozen=True)
class CardBlocked:
    card_token: str
    reason: BlockReason
    permanent: bool
    at: datetime
    lapses_at: datetime | None = None  # a temporary block's lift deadline under the terms in force


@dataclass(frozen=True)
class CardBlockLifted:
    card_token: str
    at: datetime


@dataclass(frozen=True)
class CardReplaced:
    card_token: str
    replaced_by: str
    at: datetime


@dataclass(frozen=True)
class CardExpired:
    card_token: str
    at: datetime


@dataclass(frozen=True)
class CardAllocationChanged:
    card_token: str
    person_id: str
    household_id: str | None
    cooperative_id: str
    membership_id: str
    at: datetime


CardEvent = CardIssued | CardBlocked | CardBlockLifted | CardReplaced | CardExpired | CardAllocationChanged
