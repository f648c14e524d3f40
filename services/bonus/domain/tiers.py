"""Bonus tier tables: which Bonus percentage a household's monthly purchases earn.

A tier table maps the household's eligible purchases in a calendar month (the *tier total*) to a Bonus
rate. Thresholds are inclusive ("at least X €"): the rate is the highest one whose threshold the total
reaches, and 0 below the lowest threshold. Rates are in basis points (hundredths of a percent), so
5.0 % is ``500``; the same number read as cents per litre is the Fuel Bonus (5.0 % -> 5.0 c/l).

Each cooperative's table is versioned by effective date. The data lives in ``tier_tables.json`` rather
than in code because the current KPO and Koillismaa tables, and the date the cooperatives unified their
tables, are not confirmed (domain.md §1.2, §10).
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

COMMON = "common"
"""Registry key of the common S-Group table, used by every cooperative without a table of its own."""

TIER_TABLES_FILE = Path(__file__).with_name("tier_tables.json")


class InvalidTierTable(ValueError):
    """A tier table whose thresholds or rates do not both rise strictly and stay positive."""


class NoTierTableInForce(LookupError):
    """No table (not even the common one) was in force for the requested month."""


@dataclass(frozen=True, order=True)
class Tier:
    """One row of a tier table: from ``threshold_cents`` of monthly purchases upward, ``rate_bp`` applies."""

    threshold_cents: int
    rate_bp: int


@dataclass(frozen=True)
class TierTable:
    """One version of a Bonus table, valid from ``effective_from`` until the next version."""

    name: str
    effective_from: date
    tiers: tuple[Tier, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "tiers", tuple(sorted(self.tiers)))
        self._check_tiers_rise_strictly()

    def _check_tiers_rise_strictly(self) -> None:
        # A zero threshold would pay Bonus on a zero or negative month; equal rates make a tier pointless.
        if not self.tiers:
            raise InvalidTierTable(f"{self.name}: a tier table needs at least one tier")
        previous = Tier(threshold_cents=0, rate_bp=0)
        for tier in self.tiers:
            if tier.threshold_cents <= previous.threshold_cents or tier.rate_bp <= previous.rate_bp:
                raise InvalidTierTable(f"{self.name}: thresholds and rates must rise strictly from 0")
            previous = tier

    @property
    def version(self) -> str:
        """How a statement names the version that priced its month: the table's name and start date."""
        return f"{self.name} from {self.effective_from.isoformat()}"

    def tier_for(self, total_cents: int) -> Tier | None:
        """The tier a month with this total reaches (thresholds inclusive), or None below the lowest."""
        reached = bisect_right([tier.threshold_cents for tier in self.tiers], total_cents)
        return self.tiers[reached - 1] if reached else None

    def rate_for(self, total_cents: int) -> int:
        """The Bonus rate in basis points for a month with this tier total; 0 below the lowest tier."""
        tier = self.tier_for(total_cents)
        return tier.rate_bp if tier else 0

    def next_tier(self, total_cents: int) -> Tier | None:
        """The first tier above the one this total reaches, or None at the top tier."""
        reached = bisect_right([tier.threshold_cents for tier in self.tiers], total_cents)
        return self.tiers[reached] if reached < len(self.tiers) else None


@dataclass(frozen=True)
class FollowsTable:
    """A cooperative's version that, from ``effective_from``, uses another key's tables (usually common)."""

    follows: str
    effective_from: date


TableVersion = TierTable | FollowsTable


class TierTables:
    """Every cooperative's tier-table versions, answering which table applies to a given month.

    The table in force on the first day of the month applies to the whole month, because the tier is
    decided once per calendar month; a version effective mid-month starts with the next month. A
    cooperative without a version in force for the month uses the common table.
    """

    def __init__(self, versions: Mapping[str, Iterable[TableVersion]]) -> None:
        self._versions = {
            cooperative_id: sorted(entries, key=lambda version: version.effective_from)
            for cooperative_id, entries in versions.items()
        }

    def table_for(self, cooperative_id: str, month: date) -> TierTable:
        """The table a cooperative's households are paid by for the calendar month containing ``month``."""
        return self._resolve(cooperative_id, month.replace(day=1), seen=())

    def in_force(self, month: date) -> tuple[dict[str, TierTable], TierTable | None]:
        """The tables of the calendar month containing ``month``: each cooperative's with versions of its
        own that has one (which may follow another's), and the common one, which every other cooperative
        uses (None before there was one)."""
        first_day = month.replace(day=1)
        own = {}
        for key in self._versions.keys() - {COMMON}:
            try:
                own[key] = self._resolve(key, first_day, seen=())
            except NoTierTableInForce:
                pass
        try:
            return own, self._resolve(COMMON, first_day, seen=())
        except NoTierTableInForce:
            return own, None

    def _resolve(self, key: str, first_day: date, seen: tuple[str, ...]) -> TierTable:
        if key in seen:
            raise InvalidTierTable(f"tier tables follow each other in a cycle: {seen + (key,)}")
        in_force = [v for v in self._versions.get(key, ()) if v.effective_from <= first_day]
        if in_force and isinstance(in_force[-1], TierTable):
            return in_force[-1]
        if in_force and isinstance(in_force[-1], FollowsTable):
            return self._resolve(in_force[-1].follows, first_day, seen + (key,))
        if key != COMMON:
            return self._resolve(COMMON, first_day, seen + (key,))
        raise NoTierTableInForce(f"no tier table in force for {first_day:%Y-%m}")

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> TierTables:
        """Build the registry from the ``tier_tables.json`` structure (see the notes in that file)."""
        tables = data["tables"]
        return cls({key: [_version_from(entry) for entry in entries] for key, entries in tables.items()})


def _version_from(entry: Mapping[str, Any]) -> TableVersion:
    effective_from = date.fromisoformat(entry["effective_from"])
    if "follows" in entry:
        return FollowsTable(follows=entry["follows"], effective_from=effective_from)
    tiers = tuple(Tier(int(row["threshold_cents"]), int(row["rate_bp"])) for row in entry["tiers"])
    return TierTable(name=entry["name"], effective_from=effective_from, tiers=tiers)


def load_tier_tables(path: Path = TIER_TABLES_FILE) -> TierTables:
    """Read the tier-table registry from a JSON data file (by default the one shipped with the domain)."""
    return TierTables.from_data(json.loads(path.read_text(encoding="utf-8")))
