"""Household rules, each a small object whose name reads as the rule.

A rule holds the facts it needs, says whether it `is_broken()`, and `check()` raises its domain
violation. Ages come from the birth date in the personal identity code, on a given day.
"""

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import ClassVar

from services.membership.domain.errors import (
    AdultMustAcceptInvitation,
    MainMemberCannotLeave,
    MembershipRuleViolation,
    MinorMustBeAddedByMainMember,
    NotAllowedToRemoveMember,
    PersonAlreadyInHousehold,
)
from services.membership.domain.identity_code import IdentityCode

ADULT_AGE = 18


def age_on(identity_code: IdentityCode, day: date) -> int:
    """Completed years on `day`; someone born on 29 February gets a year older on 1 March."""
    born = identity_code.birth_date
    had_birthday = (day.month, day.day) >= (born.month, born.day)
    return day.year - born.year - (0 if had_birthday else 1)


def is_adult_on(identity_code: IdentityCode, day: date) -> bool:
    return age_on(identity_code, day) >= ADULT_AGE


class JoiningMethod(str, Enum):
    ACCEPTED_INVITATION = "accepted_invitation"
    ADDED_BY_MAIN_MEMBER = "added_by_main_member"


class HouseholdRule:
    violation: ClassVar[type[MembershipRuleViolation]]

    def is_broken(self) -> bool:
        raise NotImplementedError

    def check(self) -> None:
        if self.is_broken():
            raise self.violation()


@dataclass(frozen=True)
class PersonBelongsToOneHouseholdAtATime(HouseholdRule):
    current_household_id: str | None
    violation = PersonAlreadyInHousehold

    def is_broken(self) -> bool:
        return self.current_household_id is not None


@dataclass(frozen=True)
class AdultJoinsOnlyByAcceptingAnInvitation(HouseholdRule):
    joiner: IdentityCode
    method: JoiningMethod
    on: date
    violation = AdultMustAcceptInvitation

    def is_broken(self) -> bool:
        return is_adult_on(self.joiner, self.on) and self.method is not JoiningMethod.ACCEPTED_INVITATION


@dataclass(frozen=True)
class MinorIsAddedDirectlyByTheMainMember(HouseholdRule):
    joiner: IdentityCode
    method: JoiningMethod
    on: date
    violation = MinorMustBeAddedByMainMember

    def is_broken(self) -> bool:
        return not is_adult_on(self.joiner, self.on) and self.method is not JoiningMethod.ADDED_BY_MAIN_MEMBER


@dataclass(frozen=True)
class MainMemberLeavesOnlyByDissolvingTheHousehold(HouseholdRule):
    leaver_is_main_member: bool
    violation = MainMemberCannotLeave

    def is_broken(self) -> bool:
        return self.leaver_is_main_member


@dataclass(frozen=True)
class MemberLeavesThemselfOrIsRemovedByTheMainMember(HouseholdRule):
    actor_is_the_member: bool
    actor_is_main_member: bool
    violation = NotAllowedToRemoveMember

    def is_broken(self) -> bool:
        return not (self.actor_is_the_member or self.actor_is_main_member)


def check_can_join_household(
    joiner: IdentityCode, current_household_id: str | None, method: JoiningMethod, on: date
) -> None:
    """All rules for a person joining a household on `on`."""
    PersonBelongsToOneHouseholdAtATime(current_household_id).check()
    AdultJoinsOnlyByAcceptingAnInvitation(joiner, method, on).check()
    MinorIsAddedDirectlyByTheMainMember(joiner, method, on).check()


def check_can_leave_household(
    leaver_is_main_member: bool, actor_is_the_member: bool, actor_is_main_member: bool
) -> None:
    """All rules for a member leaving or being removed from a household."""
    MainMemberLeavesOnlyByDissolvingTheHousehold(leaver_is_main_member).check()
    MemberLeavesThemselfOrIsRemovedByTheMainMember(actor_is_the_member, actor_is_main_member).check()
