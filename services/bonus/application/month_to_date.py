"""The month-to-date event: what the household has bought so far this month and what it earns."""
from __future__ import annotations

import uuid

from contracts.envelope import NAMESPACE, Envelope
from contracts.events.bonus import MonthToDate
from contracts.topics import BONUS_MONTH_TO_DATE
from services.bonus.domain import MonthTotals, TierTables, compute_month
from services.bonus.domain.months import month_label
from shared.outbox import OutgoingEvent

SOURCE = "coopreg/bonus"


def totals_of(row) -> MonthTotals:
    return MonthTotals(bonus_cents=row["bonus_cents"], double_cents=row["double_cents"],
                       fuel_cents=row["fuel_cents"], fuel_millilitres=row["fuel_millilitres"],
                       payment_method_cents=row["payment_method_cents"])


def month_to_date_event(row, tables: TierTables) -> OutgoingEvent:
    """`row` is an accrual row; the event id changes with the receipt count, so each state is one event."""
    result = compute_month(tables.table_for(row["cooperative_id"], row["month"]), totals_of(row))
    household, month = row["household_id"], month_label(row["month"])
    data = MonthToDate(
        household_id=household, month=month, cooperative_id=row["cooperative_id"],
        tier_total_cents=result.tier_total_cents, rate_bp=result.rate_bp, bonus_cents=result.bonus_cents,
        fuel_bonus_cents=result.fuel_bonus_cents, payment_method_benefit_cents=result.payment_method_benefit_cents,
        next_threshold_cents=result.next_threshold_cents, cents_to_next_tier=result.cents_to_next_tier,
        receipts=row["receipts"])
    envelope = Envelope(id=str(uuid.uuid5(NAMESPACE, f"mtd:{household}:{month}:{row['receipts']}")),
                        source=SOURCE, type=BONUS_MONTH_TO_DATE.event_type, subject=household,
                        cooperative=row["cooperative_id"])
    return OutgoingEvent(BONUS_MONTH_TO_DATE.name, household, envelope, data)
