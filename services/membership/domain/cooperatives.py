"""The regional cooperatives of the common co-op membership system, as versioned seed data.

Each cooperative sets its own Bonus table, contribution terms and yearly benefits; they live in
`cooperatives.json` so that a change of rules is a data change, not a code change.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from services.membership.domain.contribution import ContributionPolicy
from services.membership.domain.errors import InvalidCooperativeData, UnknownCooperative

SEED_FILE = Path(__file__).with_name("cooperatives.json")


@dataclass(frozen=True)
class YearlyDecision:
    """Rates decided on one financial year's statements and paid in the following year."""

    financial_year: int
    interest_rate_bp: int | None = None
    surplus_rate_bp: int | None = None
    paid_on: date | None = None
    source: str | None = None


@dataclass(frozen=True)
class Cooperative:
    id: str
    name_fi: str
    name_en: str
    domicile: str
    bonus_table: str
    contribution_policy: ContributionPolicy
    yearly_decisions: tuple[YearlyDecision, ...] = ()

    def decision_for(self, financial_year: int) -> YearlyDecision | None:
        """The decision on `financial_year`, or None if none was recorded."""
        for decision in self.yearly_decisions:
            if decision.financial_year == financial_year:
                return decision
        return None


def load_cooperatives(path: Path = SEED_FILE) -> dict[str, Cooperative]:
    """All cooperatives of the seed file, keyed by id slug."""
    document = json.loads(path.read_text(encoding="utf-8"))
    default_policy = document.get("default_contribution_policy", {})
    cooperatives: dict[str, Cooperative] = {}
    for row in document["cooperatives"]:
        try:
            cooperative = _cooperative(row, default_policy)
        except (KeyError, TypeError, ValueError):
            raise InvalidCooperativeData("malformed_row") from None
        if cooperative.id in cooperatives:
            raise InvalidCooperativeData("duplicate_id")
        cooperatives[cooperative.id] = cooperative
    return cooperatives


def find_cooperative(cooperatives: dict[str, Cooperative], cooperative_id: str) -> Cooperative:
    try:
        return cooperatives[cooperative_id]
    except KeyError:
        raise UnknownCooperative() from None


def _cooperative(row: dict[str, Any], default_policy: dict[str, int]) -> Cooperative:
    decisions = tuple(_decision(item) for item in row.get("yearly_decisions", []))
    if len({d.financial_year for d in decisions}) != len(decisions):
        raise InvalidCooperativeData("duplicate_financial_year")
    return Cooperative(
        id=row["id"],
        name_fi=row["name_fi"],
        name_en=row["name_en"],
        domicile=row["domicile"],
        bonus_table=row.get("bonus_table", "common"),
        contribution_policy=ContributionPolicy(**{**default_policy, **row.get("contribution_policy", {})}),
        yearly_decisions=decisions,
    )


def _decision(item: dict[str, Any]) -> YearlyDecision:
    paid_on = item.get("paid_on")
    return YearlyDecision(
        financial_year=item["financial_year"],
        interest_rate_bp=item.get("interest_rate_bp"),
        surplus_rate_bp=item.get("surplus_rate_bp"),
        paid_on=date.fromisoformat(paid_on) if paid_on else None,
        source=item.get("source"),
    )
