"""Retention periods as data (`retention_periods.json`) and the pure rules that turn them into cut-offs.

A period is a number of calendar months counted back from the run's time: a row whose clock (purchase
time, the end of a value, the end of the customer relationship …) lies before the cut-off is due for
erasure. A period of null keeps the data group (the statutory member register).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from services.register_api.domain.months import add_months

RULES_FILE = Path(__file__).with_name("retention_periods.json")


@dataclass(frozen=True)
class RetentionRule:
    data_group: str
    months: int | None
    clock: str
    basis: str

    @property
    def kept(self) -> bool:
        return self.months is None


@dataclass(frozen=True)
class RetentionRules:
    rules: tuple[RetentionRule, ...]

    def rule(self, data_group: str) -> RetentionRule:
        for rule in self.rules:
            if rule.data_group == data_group:
                return rule
        raise KeyError(f"no retention rule for {data_group!r}")

    def cutoffs(self, now: datetime) -> dict[str, datetime]:
        """The cut-off of every data group that is erased at all."""
        return {rule.data_group: months_before(now, rule.months) for rule in self.rules if rule.months is not None}


def months_before(at: datetime, months: int) -> datetime:
    if months < 0:
        raise ValueError("a retention period cannot be negative")
    return add_months(at, -months)


def is_due(rule: RetentionRule, clock: datetime | None, now: datetime) -> bool:
    """Whether data whose clock stands at `clock` (None: still current) is due for erasure at `now`."""
    if rule.months is None or clock is None:  # kept, or still current
        return False
    return clock < months_before(now, rule.months)


def parse_rules(document: dict[str, Any]) -> RetentionRules:
    rules = tuple(RetentionRule(r["data_group"], r["months"], r["clock"], r["basis"]) for r in document["rules"])
    groups = [r.data_group for r in rules]
    if len(groups) != len(set(groups)):
        raise ValueError("a data group has two retention rules")
    return RetentionRules(rules)


def load_retention_rules(path: Path = RULES_FILE) -> RetentionRules:
    return parse_rules(json.loads(path.read_text()))
