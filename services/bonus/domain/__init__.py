"""The pure Bonus domain: tier tables, the household-month calculation, payout split and adjustments."""

from services.bonus.domain.adjustments import (
    ClosedMonthAdjustment,
    RecordedMonth,
    adjustment_for_closed_month,
)
from services.bonus.domain.calculation import (
    PAYMENT_METHOD_RATE_BP,
    MonthBonus,
    MonthTotals,
    compute_month,
    pool,
    round_half_up,
)
from services.bonus.domain.payout import (
    NegativePayoutAmount,
    PayoutKind,
    PayoutSplit,
    PayoutTransaction,
    split_payout,
)
from services.bonus.domain.tiers import (
    COMMON,
    FollowsTable,
    InvalidTierTable,
    NoTierTableInForce,
    Tier,
    TierTable,
    TierTables,
    load_tier_tables,
)

__all__ = [
    "COMMON",
    "PAYMENT_METHOD_RATE_BP",
    "ClosedMonthAdjustment",
    "FollowsTable",
    "InvalidTierTable",
    "MonthBonus",
    "MonthTotals",
    "NegativePayoutAmount",
    "NoTierTableInForce",
    "PayoutKind",
    "PayoutSplit",
    "PayoutTransaction",
    "RecordedMonth",
    "Tier",
    "TierTable",
    "TierTables",
    "adjustment_for_closed_month",
    "compute_month",
    "load_tier_tables",
    "pool",
    "round_half_up",
    "split_payout",
]
