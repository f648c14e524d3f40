"""Which update of a person's base data wins: the documented precedence of the register's sources.

Base data arrive from four sources — the customer (through any S-Group company or the register API), the
register keeper's staff correcting them for the customer, S-Bank and the population register (DVV) — in any
order; staff rank as the customer they act for. Each field group keeps the version (source,
source time) of its current value. An update supersedes it when

1. for names, the permanent address and the home municipality, the population register outranks the
   others whatever the times: it is the authority on them, and a customer's or S-Bank's older or newer
   copy never overwrites it (a customer who moved is updated when DVV reports the move);
2. otherwise the later source time wins; an equal time is a repeat and changes nothing.

An update that does not supersede is stale: ignored and counted, never an error.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum


class Source(str, Enum):
    CUSTOMER = "customer"
    STAFF = "staff"
    SBANK = "sbank"
    DVV = "dvv"


class FieldGroup(str, Enum):
    NAME = "name"
    PERMANENT_ADDRESS = "permanent_address"
    TEMPORARY_ADDRESS = "temporary_address"
    HOME_MUNICIPALITY = "home_municipality"
    MOBILE_PHONE = "mobile_phone"
    OTHER_PHONE = "other_phone"
    EMAIL = "email"
    LANGUAGE = "language"
    MARKETING_PROHIBITION = "marketing_prohibition"
    NON_DISCLOSURE = "non_disclosure"
    CHILDREN_BIRTH_YEARS = "children_birth_years"


# A change made with the register names who made it (`changed_by` of the commands).
CHANGED_BY = {"customer": Source.CUSTOMER, "staff": Source.STAFF}

POPULATION_REGISTER_GROUPS = frozenset({FieldGroup.NAME, FieldGroup.PERMANENT_ADDRESS,
                                        FieldGroup.HOME_MUNICIPALITY})


@dataclass(frozen=True)
class Version:
    source: Source
    source_time: datetime

    def rank(self, group: FieldGroup) -> tuple[int, datetime]:
        authority = 1 if group in POPULATION_REGISTER_GROUPS and self.source is Source.DVV else 0
        return authority, self.source_time


def supersedes(group: FieldGroup, incoming: Version, current: Version | None) -> bool:
    """Whether `incoming` replaces the value whose version is `current` (None: the group was never set)."""
    return current is None or incoming.rank(group) > current.rank(group)


@dataclass(frozen=True)
class FieldChange:
    """A new value of one field group, or its removal (`value` None)."""

    group: FieldGroup
    value: object | None


def split_by_precedence(changes: list[FieldChange], incoming: Version,
                        current: dict[FieldGroup, Version]) -> tuple[list[FieldChange], list[FieldChange]]:
    """(the changes to apply, the stale ones)."""
    applied: list[FieldChange] = []
    stale: list[FieldChange] = []
    for change in changes:
        (applied if supersedes(change.group, incoming, current.get(change.group)) else stale).append(change)
    return applied, stale
