"""The S-Etukortti card: its type, validity, blocking, replacement and household allocation.

A card is known only by its keyed token and last four digits; the number never reaches the domain.
The aggregate records its events in `events` and never publishes them.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.cards.domain.errors import CardRuleViolation

HELSINKI = ZoneInfo("Europe/Helsinki")


class CardType(StrEnum):
    CASH_CARD = "cash_card"  # benefits only, no expiry
    VISA_DEBIT = "visa_debit"
    VISA_CREDIT_DEBIT = "visa_credit_debit"  # combination card
    VISA_CREDIT = "visa_credit"
    DIGITAL_TOKEN = "digital_token"  # wallet token or mobile barcode of a parent card


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
class CardTerms:
    """Card terms in force when a card is issued or blocked; defaults are the current terms."""

    payment_card_validity_months: int = 36
    temporary_block_lapses_after_months: int = 3


DEFAULT_TERMS = CardTerms()


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

    @property
    def at(self) -> datetime:
        return self.valid_from


@dataclass(frozen=True)
class CardBlocked:
    card_token: str
    reason: BlockReason
    permanent: bool
    at: datetime


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


def check_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CardRuleViolation("time_not_timezone_aware", "card times must be timezone-aware")


def add_months(moment: datetime, months: int) -> datetime:
    """The same Helsinki wall-clock time `months` later, clamped to the end of a shorter month."""
    local = moment.astimezone(HELSINKI)
    year, month_index = divmod(local.month - 1 + months, 12)
    year += local.year
    day = min(local.day, monthrange(year, month_index + 1)[1])
    return local.replace(year=year, month=month_index + 1, day=day)


def payment_card_valid_until(issued_at: datetime, terms: CardTerms = DEFAULT_TERMS) -> datetime:
    """Start of the month after the printed last valid month (issue month + validity), Helsinki time."""
    month_start = issued_at.astimezone(HELSINKI).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return add_months(month_start, terms.payment_card_validity_months + 1)


def check_household_for_card(has_payment_features: bool, household_id: str | None) -> None:
    """Payment features end when the holder is in no household, so a payment card needs one."""
    if has_payment_features and household_id is None:
        raise CardRuleViolation(
            "person_has_no_household", "a payment card is only for a person in a household"
        )



@dataclass(eq=False)
class Card:
    """One S-Etukortti identifier: whose it is, where its Bonus purchases go, and whether it works."""

    card_token: str
    last_four: str
    card_type: CardType
    person_id: str
    household_id: str | None
    cooperative_id: str
    membership_id: str
    valid_from: datetime
    valid_until: datetime | None
    has_payment_features: bool
    parent_card_token: str | None = None
    status: CardStatus = CardStatus.ACTIVE
    block_reason: BlockReason | None = None
    blocked_at: datetime | None = None
    block_lapses_at: datetime | None = None
    replaces: str | None = None
    replaced_by: str | None = None
    last_changed_at: datetime | None = None
    events: list[CardEvent] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.last_changed_at = self.last_changed_at or self.valid_from

    @classmethod
    def issue(
        cls, *, card_token: str, last_four: str, card_type: CardType, person_id: str,
        household_id: str | None, cooperative_id: str, membership_id: str, at: datetime,
        terms: CardTerms = DEFAULT_TERMS,
    ) -> Card:
        """A new plastic card; payment cards are valid for the term, the cash card open-ended."""
        check_aware(at)
        if card_type is CardType.DIGITAL_TOKEN:
            raise CardRuleViolation("parent_card_required", "a digital token is issued for a parent card")
        payment = card_type in PAYMENT_CARD_TYPES
        check_household_for_card(payment, household_id)
        valid_until = payment_card_valid_until(at, terms) if payment else None
        card = cls(card_token, last_four, card_type, person_id, household_id, cooperative_id,
                   membership_id, at, valid_until, payment)
        card._record_issue()
        return card

    @classmethod
    def issue_digital_token(cls, parent: Card, *, card_token: str, last_four: str, at: datetime) -> Card:
        """A wallet token or mobile barcode: the same person, household and validity as its parent."""
        check_aware(at)
        if parent.card_type is CardType.DIGITAL_TOKEN or parent.status is not CardStatus.ACTIVE:
            raise CardRuleViolation("parent_card_not_usable", "a digital token needs an active plastic card")
        card = cls(card_token, last_four, CardType.DIGITAL_TOKEN, parent.person_id, parent.household_id,
                   parent.cooperative_id, parent.membership_id, at, parent.valid_until,
                   parent.has_payment_features, parent_card_token=parent.card_token)
        card._record_issue()
        return card

    def _record_issue(self) -> None:
        self.events.append(CardIssued(
            self.card_token, self.last_four, self.card_type, self.person_id, self.household_id,
            self.cooperative_id, self.membership_id, self.valid_from, self.valid_until,
            self.parent_card_token))

    def temporary_block_lapsed(self, at: datetime) -> bool:
        """The owner neither lifted nor made permanent a temporary block before its deadline."""
        if self.block_reason is BlockReason.TEMPORARY_BLOCK_LAPSED:
            return True
        lapses_at = self.block_lapses_at
        return self.status is CardStatus.TEMPORARILY_BLOCKED and lapses_at is not None and at >= lapses_at

    def is_permanently_blocked(self, at: datetime) -> bool:
        """Blocked for good, counting a temporary block whose lift deadline has passed by `at`."""
        return self.status is CardStatus.BLOCKED or self.temporary_block_lapsed(at)

    def check_in_use(self, at: datetime) -> None:
        """Changes come in time order, and replaced or expired cards (also those past validity but
        not yet swept) take none; so the card's history never needs rewriting."""
        check_aware(at)
        if self.status is CardStatus.REPLACED:
            raise CardRuleViolation("card_replaced", "the card has been replaced")
        if self.status is CardStatus.EXPIRED or (self.valid_until is not None and at >= self.valid_until):
            raise CardRuleViolation("card_expired", "the card has expired")
        if self.last_changed_at is not None and at < self.last_changed_at:
            raise CardRuleViolation("change_not_retroactive", "a card change cannot be backdated")

    def block(self, reason: BlockReason, at: datetime, terms: CardTerms = DEFAULT_TERMS) -> None:
        """Block for `reason`; a cash card whose holder left the household only leaves it."""
        self.check_in_use(at)
        if reason is BlockReason.TEMPORARY_BLOCK_LAPSED:
            raise CardRuleViolation("block_reason_not_requestable", "a temporary block lapses by the rules")
        temporary = reason is BlockReason.TEMPORARY_BY_OWNER
        if self.is_permanently_blocked(at) or (temporary and self.status is CardStatus.TEMPORARILY_BLOCKED):
            raise CardRuleViolation("card_already_blocked", "the card is already blocked")
        if reason is BlockReason.HOLDER_LEFT_HOUSEHOLD and not self.has_payment_features:
            self._leave_household(at)
        elif temporary:
            lapses_at = add_months(at, terms.temporary_block_lapses_after_months)
            self._set_block(CardStatus.TEMPORARILY_BLOCKED, reason, at, lapses_at)
        else:
            self._set_block(CardStatus.BLOCKED, reason, at, None)

    def _set_block(self, status: CardStatus, reason: BlockReason, at: datetime,
                   lapses_at: datetime | None) -> None:
        self.status, self.block_reason, self.blocked_at = status, reason, at
        self.block_lapses_at, self.last_changed_at = lapses_at, at
        self.events.append(CardBlocked(self.card_token, reason, status is CardStatus.BLOCKED, at))

    def _leave_household(self, at: datetime) -> None:
        if self.household_id is None:
            raise CardRuleViolation("person_has_no_household", "the card holder is in no household")
        self.reallocate_household(None, at)

    def settle_temporary_block(self, now: datetime) -> None:
        """Close a temporary block for good once its lift deadline has passed; no effect otherwise."""
        check_aware(now)
        if self.status is CardStatus.TEMPORARILY_BLOCKED and self.temporary_block_lapsed(now):
            lapsed_at = self.block_lapses_at or now
            self._set_block(CardStatus.BLOCKED, BlockReason.TEMPORARY_BLOCK_LAPSED, lapsed_at, None)

    def lift_block(self, at: datetime) -> None:
        """Reactivate a temporarily blocked card before its lift deadline."""
        self.check_in_use(at)
        if self.status is CardStatus.ACTIVE:
            raise CardRuleViolation("card_not_blocked", "the card is not blocked")
        if self.is_permanently_blocked(at):
            raise CardRuleViolation("block_not_liftable", "only a temporary block can be lifted")
        self.status, self.block_reason, self.blocked_at, self.block_lapses_at = (
            CardStatus.ACTIVE, None, None, None)
        self.last_changed_at = at
        self.events.append(CardBlockLifted(self.card_token, at))

    def replace(self, new_card: Card, at: datetime) -> None:
        """Hand this card's role over to `new_card` (lost, damaged or renewed card)."""
        self.check_in_use(at)
        if self.temporary_block_lapsed(at):
            raise CardRuleViolation("card_closed_without_replacement", "a lapsed block has no replacement")
        if new_card.person_id != self.person_id:
            raise CardRuleViolation("replacement_for_another_person", "a replacement is for the same person")
        if new_card.card_token == self.card_token or new_card.replaces is not None:
            raise CardRuleViolation("replacement_not_new", "a replacement is a newly issued card")
        self.status, self.replaced_by, self.last_changed_at = CardStatus.REPLACED, new_card.card_token, at
        new_card.replaces = self.card_token
        self.events.append(CardReplaced(self.card_token, new_card.card_token, at))

    def expire(self, now: datetime) -> None:
        """End the card at its valid-until time; any status but replaced or expired can expire."""
        check_aware(now)
        if self.status in (CardStatus.REPLACED, CardStatus.EXPIRED):
            raise CardRuleViolation(f"card_{self.status}", f"the card is already {self.status}")
        if self.valid_until is None:
            raise CardRuleViolation("card_does_not_expire", "the card has no fixed validity")
        if now < self.valid_until:
            raise CardRuleViolation("card_still_valid", "the card is still within its validity")
        self.settle_temporary_block(self.valid_until)
        self.status, self.last_changed_at = CardStatus.EXPIRED, self.valid_until
        self.events.append(CardExpired(self.card_token, self.valid_until))

    def reallocate_household(
        self, new_household_id: str | None, at: datetime, *,
        cooperative_id: str | None = None, membership_id: str | None = None,
    ) -> None:
        """Send Bonus purchases to another household from `at` (its acceptance) on, never earlier."""
        self.check_in_use(at)
        if self.is_permanently_blocked(at):
            raise CardRuleViolation("card_blocked", "a blocked card is no longer allocated")
        check_household_for_card(self.has_payment_features, new_household_id)
        self.household_id = new_household_id
        self.cooperative_id = cooperative_id or self.cooperative_id
        self.membership_id = membership_id or self.membership_id
        self.last_changed_at = at
        self.events.append(CardAllocationChanged(
            self.card_token, self.person_id, new_household_id, self.cooperative_id, self.membership_id, at))
