"""Membership of a cooperative: who may join, transfer or resign, and how a membership ends.

- One active membership per person; a deceased person neither joins nor stays a member.
- Joining needs a benefit payment account (at S-Bank, domain.md §2.3) and a first payment of at least
  the cooperative's minimum (checked by `Contribution`).
- A transfer moves the membership and its contribution to another cooperative without resigning; the
  old membership ends as `transferred`.
- When the main member's membership ends for any reason but a transfer, the household dissolves and the
  paid, unrefunded part of the contribution is refunded (domain.md §2.4; [A] the refund is due on the day
  the membership ends, and a deceased member's refund goes to the estate the same way).
"""
from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TypeVar

from services.membership.domain.contribution import Contribution, ContributionStatus
from services.membership.domain.errors import (
    AlreadyAMember,
    BenefitAccountRequired,
    NotAMember,
    PersonDeceased,
    SameCooperative,
)

M = TypeVar("M")  # however the caller holds a membership


class MembershipStatus(str, Enum):
    ACTIVE = "active"
    RESIGNED = "resigned"
    TERMINATED_UNPAID = "terminated_unpaid"
    TRANSFERRED = "transferred"
    DECEASED = "deceased"

    @property
    def refunds_contribution(self) -> bool:
        return self not in (MembershipStatus.ACTIVE, MembershipStatus.TRANSFERRED)


def check_person_is_alive(deceased: bool) -> None:
    if deceased:
        raise PersonDeceased()


def check_can_join(*, deceased: bool, has_active_membership: bool, has_benefit_account: bool) -> None:
    """All rules for a person joining a cooperative (the first payment is the contribution's rule)."""
    check_person_is_alive(deceased)
    if has_active_membership:
        raise AlreadyAMember()
    if not has_benefit_account:
        raise BenefitAccountRequired()


def check_is_member(active_membership: M | None) -> M:
    """The person's active membership; without one they are not a member."""
    if active_membership is None:
        raise NotAMember()
    return active_membership


def check_can_transfer(current_cooperative: str, target_cooperative: str) -> None:
    if current_cooperative == target_cooperative:
        raise SameCooperative()


def ends_for_unpaid_contribution(contribution: Contribution, day: date) -> bool:
    """The deadline passed without the contribution paid in full: the cooperative ends the membership."""
    return contribution.status_on(day) is ContributionStatus.OVERDUE
