"""Registrations kept over time: with Bonus-granting partners, in supporter groups of associations, and the
household's customer group (seed §5: "registration with a partner that grants Bonus, validity"; "the
household's customer group; participation in supporter groups of associations").

- Each is a validity period `[valid_from, valid_to)`; `valid_to` None is open-ended. History is kept: an
  ended period stays, with its end, until retention erases it.
- Periods of one person with one partner (or one supporter group) never overlap; the same period
  recorded again is the same registration (nothing changes), any other overlap is refused.
- Ending names a time: the period in force then ends there; one that ended exactly then is already done.
- A household has one customer group at a time: a new group starts where the current one ends, so a
  change dated at or before the current group's start is refused rather than rewriting history.
- Ids of partners and groups have the form of the partner ids on `partner.purchases.v1` (a slug).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from services.membership.domain.errors import (
    InvalidGroupId,
    InvalidPartnerId,
    InvalidValidity,
    NotRegistered,
    OverlappingValidity,
)

SLUG = re.compile(r"[a-z0-9-]{2,32}")


def check_partner_id(partner_id: str) -> str:
    if not SLUG.fullmatch(partner_id):
        raise InvalidPartnerId()
    return partner_id


def check_group_id(group_id: str) -> str:
    if not SLUG.fullmatch(group_id):
        raise InvalidGroupId()
    return group_id


@dataclass(frozen=True)
class Validity:
    valid_from: datetime
    valid_to: datetime | None = None

    def __post_init__(self) -> None:
        if self.valid_from.tzinfo is None or (self.valid_to is not None and self.valid_to.tzinfo is None):
            raise InvalidValidity("times must be timezone-aware")
        if self.valid_to is not None and self.valid_to <= self.valid_from:
            raise InvalidValidity()

    def overlaps(self, other: "Validity") -> bool:
        starts_before_other_ends = other.valid_to is None or self.valid_from < other.valid_to
        ends_after_other_starts = self.valid_to is None or other.valid_from < self.valid_to
        return starts_before_other_ends and ends_after_other_starts

    def in_force_at(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_to is None or at < self.valid_to)


def is_new_period(recorded: Iterable[Validity], new: Validity) -> bool:
    """True when `new` is to be recorded; False when exactly it is recorded already (a repeated command).
    Raises OverlappingValidity when it overlaps another period of the same partner or group."""
    recorded = list(recorded)
    if new in recorded:
        return False
    if any(new.overlaps(period) for period in recorded):
        raise OverlappingValidity()
    return True


def period_to_end(recorded: Iterable[Validity], at: datetime) -> Validity | None:
    """The period that ends at `at`: the one in force then. None when one ended exactly at `at` already.
    NotRegistered when none is in force; InvalidValidity when it would end the moment it starts."""
    recorded = list(recorded)
    if any(period.valid_to == at for period in recorded):
        return None
    in_force = [period for period in recorded if period.in_force_at(at)]
    if not in_force:
        raise NotRegistered()
    period = in_force[0]
    if period.valid_from == at:
        raise InvalidValidity("it would end the moment it starts")
    return period


@dataclass(frozen=True)
class GroupPeriod:
    group_id: str
    valid_from: datetime


@dataclass(frozen=True)
class HouseholdGroupChange:
    """What setting the household's group does: end the current one at `ends_current_at`, start `starts`."""

    ends_current_at: datetime | None
    starts: str | None


def household_group_change(current: GroupPeriod | None, group_id: str | None, at: datetime,
                           household_founded_at: datetime) -> HouseholdGroupChange:
    """The household's group becomes `group_id` (None: no group) at `at`."""
    if group_id is not None:
        check_group_id(group_id)
    if at < household_founded_at:
        raise InvalidValidity("before the household was founded")
    if (current.group_id if current else None) == group_id:
        return HouseholdGroupChange(None, None)
    if current is not None and at <= current.valid_from:
        raise OverlappingValidity("a change must start after the current group's start")
    return HouseholdGroupChange(at if current else None, group_id)
