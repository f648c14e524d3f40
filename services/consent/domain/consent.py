"""A person's consent: their own blocks and marketing permissions, and what is in force for them.

Every change of one item (a block, or the permission of one channel) is a statement "item is on/off as of
`at`". Statements arrive from several sources (self-service, customer service, S-Bank) in any order;
the one with the latest `at` is in force (`LatestStatementWins`), an equal time is a repeat. So the same
set of statements gives the same consent whatever order they arrived in.

The register's marketing prohibition (set by the customer, S-Bank or the population register with the
membership service) is the same thing as the "all marketing" block: each change of it is a statement on
that block, so whichever change was made last is in force, wherever it was made.

What is in force also takes in
- death: nothing at all;
- the household effect: a current household member's block on product-level purchase data covers the
  whole household's purchases (seed §1-4: "unless the owner-customer or a household member has forbidden
  it"). No collection implies no use: nothing is collected to target or serve with.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, Mapping

BLOCKS = ("owner_customer_mail", "direct_mail", "telemarketing", "surveys", "warranty_receipts",
          "product_data_targeting", "product_data_services", "email_messages", "mobile_messages", "all_marketing",
          "product_data_collection")
PERMISSION_CHANNELS = ("email", "sms")
CHOICES = ("e_receipts",)  # services the customer asks for: off until chosen
HOUSEHOLD_WIDE_BLOCKS = frozenset({"product_data_collection", "product_data_targeting", "product_data_services"})
# A block that makes another one moot: without collected product-level data there is none to use.
IMPLIED_BLOCKS = {"product_data_collection": frozenset({"product_data_targeting", "product_data_services"})}


def block_item(block: str) -> str:
    return f"block:{block}"


def permission_item(channel: str) -> str:
    return f"permission:{channel}"


def choice_item(choice: str) -> str:
    return f"choice:{choice}"


@dataclass(frozen=True)
class Statement:
    item: str
    value: bool
    at: datetime


def latest_statement_wins(new: Statement, current: Statement | None) -> bool:
    """Whether `new` replaces `current` (same item): it must be strictly later; equal is a repeat."""
    if new.at.tzinfo is None:
        raise ValueError("a consent statement's time must carry its UTC offset")
    return current is None or new.at > current.at


def in_force(statements: Iterable[Statement]) -> dict[str, bool]:
    """The value in force per item after all `statements`, in whatever order they came."""
    latest: dict[str, Statement] = {}
    for statement in statements:
        if latest_statement_wins(statement, latest.get(statement.item)):
            latest[statement.item] = statement
    return {item: statement.value for item, statement in latest.items()}


@dataclass(frozen=True)
class OwnConsent:
    """The person's own blocks, granted permissions and chosen services (nothing stated: none of them)."""

    blocks: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    choices: frozenset[str] = frozenset()

    @classmethod
    def from_items(cls, items: Mapping[str, bool]) -> "OwnConsent":
        blocks = frozenset(b for b in BLOCKS if items.get(block_item(b)))
        permissions = frozenset(c for c in PERMISSION_CHANNELS if items.get(permission_item(c)))
        return cls(blocks, permissions, frozenset(c for c in CHOICES if items.get(choice_item(c))))


@dataclass(frozen=True)
class EffectiveConsent:
    own: OwnConsent
    household_blocks: frozenset[str]
    deceased: bool

    @property
    def marketing_prohibited(self) -> bool:
        return "all_marketing" in self.own.blocks or self.deceased

    def blocked(self, block: str) -> bool:
        return block in self.own.blocks or block in self.household_blocks

    def permitted(self, channel: str) -> bool:
        return channel in self.own.permissions and not self.deceased


def _with_implied(blocks: frozenset[str]) -> frozenset[str]:
    return blocks.union(*(IMPLIED_BLOCKS.get(block, frozenset()) for block in blocks))


def effective_consent(own: OwnConsent, household_members: Iterable[OwnConsent] = (), *,
                      deceased: bool = False) -> EffectiveConsent:
    """What is in force for a person: `household_members` are the other current members' own consents."""
    shared = frozenset().union(own.blocks, *(member.blocks for member in household_members))
    return EffectiveConsent(own, _with_implied(shared & HOUSEHOLD_WIDE_BLOCKS), deceased)


def register_prohibition_statement(before: bool, now: bool, at: datetime) -> Statement | None:
    """A change of the register's marketing prohibition as a statement on the all-marketing block."""
    return Statement(block_item("all_marketing"), now, at) if before != now else None
