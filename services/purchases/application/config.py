"""What the purchases use cases need besides the database: rules as data and the index key."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from services.purchases.domain.eligibility_rules import EligibilityRules, default_rules
from services.purchases.domain.product_data import DEFAULT_COLLECTION_LEVEL_BY_CHAIN, CollectionLevel
from services.purchases.domain.warranty import WarrantyPeriods, load_warranty_periods


@dataclass(frozen=True)
class PurchasesConfig:
    index_key: str
    parking_horizon_days: int = 30
    resolve_every_seconds: float = 3.0
    rules: EligibilityRules = field(default_factory=default_rules)
    collection_levels: Mapping[str, CollectionLevel] = field(
        default_factory=lambda: DEFAULT_COLLECTION_LEVEL_BY_CHAIN)
    warranty: WarrantyPeriods = field(default_factory=load_warranty_periods)
