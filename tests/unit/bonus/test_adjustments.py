from datetime import date

import pytest

from services.bonus.domain.adjustments import adjustment_for_closed_month
from services.bonus.domain.calculation import MonthTotals, compute_month
from services.bonus.domain.tiers import COMMON, load_tier_tables

pytestmark = pytest.mark.unit

TABLES = load_tier_tables()
COMMON_TABLE = TABLES.table_for(COMMON, date(2024, 5, 1))


def closed_month(total_cents: int):
    return compute_month(COMMON_TABLE, MonthTotals(bonus_cents=total_cents))


@pytest.mark.parametrize(
    ("case", "closed_total", "delta", "bonus", "fuel", "benefit"),
    [
        ("return dropping a tier keeps the recorded 2.5 %", 400_00, MonthTotals(bonus_cents=-100_00), -2_50, 0, 0),
        ("late purchase lifting a tier earns the recorded 2 %", 399_00, MonthTotals(bonus_cents=1_00), 2, 0, 0),
        ("late purchase in a 0 % month earns nothing", 49_99, MonthTotals(bonus_cents=10_00), 0, 0, 0),
        ("late double-Bonus purchase earns twice the rate", 600_00, MonthTotals(double_cents=100_00), 7_00, 0, 0),
        (
            "late fuel earns the recorded cents per litre",
            800_00,
            MonthTotals(fuel_cents=100_00, fuel_millilitres=60_000),
            0,
            2_70,
            0,
        ),
        ("card payment returned", 400_00, MonthTotals(payment_method_cents=-370_00), 0, 0, -1_85),
    ],
)
def test_closed_month_changes_are_priced_at_the_recorded_rate(case, closed_total, delta, bonus, fuel, benefit):
    adjustment = adjustment_for_closed_month(closed_month(closed_total), delta)

    assert adjustment.bonus_cents == bonus
    assert adjustment.fuel_bonus_cents == fuel
    assert adjustment.payment_method_benefit_cents == benefit
    assert adjustment.total_cents == bonus + fuel + benefit


def test_the_table_in_force_today_plays_no_part():
    # Koillismaa's 2016 table paid 1 % from 1 €; today's common table pays nothing below 50 €.
    koillismaa_2020 = TABLES.table_for("koillismaa", date(2020, 12, 1))
    december_2020 = compute_month(koillismaa_2020, MonthTotals(bonus_cents=30_00))

    adjustment = adjustment_for_closed_month(december_2020, MonthTotals(bonus_cents=-10_00))

    assert december_2020.rate_bp == 100
    assert adjustment.bonus_cents == -10


@pytest.mark.parametrize("cents", [1_00, 3_30, 201_00, 400_20, 12_345_67])
def test_a_return_takes_back_exactly_what_the_same_purchase_earned(cents):
    month = closed_month(200_00)  # 1.5 %: many amounts land on half a cent

    purchase = adjustment_for_closed_month(month, MonthTotals(bonus_cents=cents, payment_method_cents=cents))
    refund = adjustment_for_closed_month(month, MonthTotals(bonus_cents=-cents, payment_method_cents=-cents))

    assert refund.total_cents == -purchase.total_cents
