"""The S-Etukortti card: its type, validity, blocking, replacement and household allocation.

A card is known only by its keyed token and last four digits; the number never reaches the domain.
The aggregate records its events in `events` and never publishes them. The member number is kept as an
identifier of the same shape (type `member_number`): it follows its person's household like a cash card.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.cards.domain.card_events import (
    PAYMENT_CARD_TYPES,
    BlockReason,
    CardAllocationChanged,
    CardBlocked,
    CardBlockLifted,
    CardEvent,
    CardExpired,
    CardIssued,
    CardReplaced,
    CardStatus,
    CardType,
)
from services.cards.domain.card_terms import (
    DEFAULT_TERMS,
    HELSINKI,
    CardTerms,
    add_months,
    check_aware,
    check_household_for_card,
    payment_card_valid_until,
)
from services.cards.domain.errors import CardRuleViolation

__all__ = [  # the card's vocabulary is importable from here, where the aggregate is
    "HELSINKI", "DEFAULT_TERMS", "PAYMENT_CARD_TYPES", "BlockReason", "Card", "CardAllocationChanged",
    "CardBlocked", "CardBlockLifted", "CardEvent", "CardExpired", "CardIssued", "CardReplaced", "CardStatus",
    "CardTerms", "CardType", "add_months", "check_aware", "check_household_for_card", "payment_card_valid_until",
]

NO_TOKEN_PARENTS = frozenset({CardType.DIGITAL_TOKEN, CardType.MEMBER_NUMBER})  # never carry a digital token


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
        terms: CardTerms = DEFAULT_TERMS, replaces: str | None = None,
    ) -> Card:
        """A new plastic card; payment cards are valid for the term, the cash card open-ended."""
        check_aware(at)
        if card_type is CardType.DIGITAL_TOKEN:
            raise CardRuleViolation("parent_card_required", "a digital token is issued for a parent card")
        if card_type is CardType.MEMBER_NUMBER:
            raise CardRuleViolation("not_a_card", "a member number is registered, not issued as a card")
        payment = card_type in PAYMENT_CARD_TYPES
        check_household_for_card(payment, household_id)
        valid_until = payment_card_valid_until(at, terms) if payment else None
        card = cls(card_token, last_four, card_type, person_id, household_id, cooperative_id,
                   membership_id, at, valid_until, payment, replaces=replaces)
        card._record_issue()
        return card

    @classmethod
    def register_member_number(
        cls, *, card_token: str, last_four: str, person_id: str, household_id: str | None,
        cooperative_id: str, membership_id: str, at: datetime,
    ) -> Card:
        """The person's member number: open-ended, no payment features, allocated like a cash card."""
        check_aware(at)
        card = cls(card_token, last_four, CardType.MEMBER_NUMBER, person_id, household_id, cooperative_id,
                   membership_id, at, None, False)
        card._record_issue()
        return card

    @classmethod
    def issue_digital_token(cls, parent: Card, *, card_token: str, last_four: str, at: datetime) -> Card:
        """A wallet token or mobile barcode: the same person, household and validity as its parent."""
        check_aware(at)
        past_validity = parent.valid_until is not None and at >= parent.valid_until
        if parent.card_type in NO_TOKEN_PARENTS or parent.status is not CardStatus.ACTIVE or past_validity:
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
            self.parent_card_token, self.has_payment_features, self.replaces))

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
        self.events.append(CardBlocked(self.card_token, reason, status is CardStatus.BLOCKED, at, lapses_at))

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

    def blocked_for_leaving(self, at: datetime) -> bool:
        """Blocked (by `at`) only because its holder left every household, and still within its validity."""
        return (self.status is CardStatus.BLOCKED and self.block_reason is BlockReason.HOLDER_LEFT_HOUSEHOLD
                and self.blocked_at is not None and self.blocked_at <= at
                and (self.valid_until is None or at < self.valid_until))

    def rejoin_household(self, household_id: str, at: datetime, *, cooperative_id: str | None = None,
                         membership_id: str | None = None) -> None:
        """The holder of a card blocked for leaving every household joined another at `at`: the card resumes
        there. A move is a leave and a join whose two households' states reach the cards service in either
        order; joined first, the leave is stale and the card simply follows. Applied the other way round
        the outcome is the same card, in the same household, from the same moment."""
        if not self.blocked_for_leaving(at):
            raise CardRuleViolation("card_blocked", "a blocked card is no longer allocated")
        self.status, self.block_reason, self.blocked_at, self.block_lapses_at = (
            CardStatus.ACTIVE, None, None, None)
        self.last_changed_at = at
        self.events.append(CardBlockLifted(self.card_token, at))
        self.reallocate_household(household_id, at, cooperative_id=cooperative_id, membership_id=membership_id)

    def replace(self, new_card: Card, at: datetime) -> None:
        """Hand this card's role over to `new_card` (lost, damaged or renewed card)."""
        self.check_in_use(at)
        if self.temporary_block_lapsed(at):
            raise CardRuleViolation("card_closed_without_replacement", "a lapsed block has no replacement")
        if new_card.person_id != self.person_id:
            raise CardRuleViolation("replacement_for_another_person", "a replacement is for the same person")
        if new_card.card_token == self.card_token or new_card.replaces not in (None, self.card_token):
            raise CardRuleViolation("replacement_not_new", "a replacement is a newly issued card")
        self.status, self.replaced_by, self.last_changed_at = CardStatus.REPLACED, new_card.card_token, at
        new_card.replaces = self.card_token
        self.events.append(CardReplaced(self.card_token, new_card.card_token, at))

    def issue_replacement(self, *, card_token: str, last_four: str, at: datetime,
                          card_type: CardType | None = None, terms: CardTerms = DEFAULT_TERMS) -> Card:
        """A new card for the same person and household that replaces this one; both record the link."""
        new_card = Card.issue(
            card_token=card_token, last_four=last_four, card_type=card_type or self.card_type,
            person_id=self.person_id, household_id=self.household_id, cooperative_id=self.cooperative_id,
            membership_id=self.membership_id, at=at, terms=terms, replaces=self.card_token)
        self.replace(new_card, at)
        return new_card

    def apply_deadlines(self, now: datetime) -> None:
        """What time alone does by `now`: a temporary block past its lift deadline closes for good, and a
        card past its validity expires. Applying them again changes nothing."""
        self.settle_temporary_block(now)
        past_validity = self.valid_until is not None and now >= self.valid_until
        if past_validity and self.status not in (CardStatus.REPLACED, CardStatus.EXPIRED):
            self.expire(now)

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
