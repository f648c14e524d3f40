"""Electronic warranty receipts: how long a purchase is kept as the proof of purchase for its warranty.

The periods are data (`warranty_periods.json`, uncertain: the seed names none; see its `source`), per
product group, with a default for lines of the warranty categories that cost enough; a receipt's warranty
lasts as long as the longest of its lines'. Returns and lines of no warranty give none.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from services.purchases.domain.eligibility import LineFacts

PERIODS_FILE = Path(__file__).with_name("warranty_periods.json")


@dataclass(frozen=True)
class WarrantyPeriods:
    default_months: int = 24
    warranty_categories: frozenset[str] = frozenset({"general"})
    min_line_cents: int = 2000
    product_groups: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))

    def months_of(self, line: LineFacts) -> int:
        """The warranty of one line, in months (0: none)."""
        if line.amount_cents <= 0:
            return 0
        if line.product_group in self.product_groups:
            return self.product_groups[line.product_group]
        if line.category in self.warranty_categories and line.amount_cents >= self.min_line_cents:
            return self.default_months
        return 0


def warranty_months(lines: Iterable[LineFacts], periods: WarrantyPeriods) -> int | None:
    """How many months from the purchase the receipt is kept as a warranty receipt; None: no line has one."""
    longest = max((periods.months_of(line) for line in lines), default=0)
    return longest or None


def parse_periods(document: Mapping[str, Any]) -> WarrantyPeriods:
    groups = {str(group): int(months) for group, months in document.get("product_groups", {}).items()}
    if any(months < 0 for months in groups.values()) or int(document["default_months"]) < 0:
        raise ValueError("a warranty period cannot be negative")
    return WarrantyPeriods(int(document["default_months"]), frozenset(document.get("warranty_categories", ())),
                           int(document.get("min_line_cents", 0)), MappingProxyType(groups))


def load_warranty_periods(path: Path = PERIODS_FILE) -> WarrantyPeriods:
    return parse_periods(json.loads(path.read_text()))
