from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.bonus.domain.calculation import MonthTotals, compute_month, pool, round_half_up
from services.bonus.domain.tiers import COMMON, load_tier_tables

pytestmark = pytest.mark.unit

COMMON_TABLE = load_tier_tables().table_for(COMMON, date(2024, 5, 1))


# domain.md §9, worked examples on the common table (example 9 is in test_payout.py).
@pytest.mark.parametrize(
    ("example", "totals", "rate_bp", "bonus_cents", "fuel_bonus_cents", "payment_method_benefit_cents"),
    [
        ("1: T = 399 €", MonthTotals(bonus_cents=399_00), 200, 7_98, 0, 0),
        ("2: T = 400 €, threshold inclusive", MonthTotals(bonus_cents=400_00), 250, 10_00, 0, 0),
        ("3a: T = 49.99 €", MonthTotals(bonus_cents=49_99), 0, 0, 0, 0),
        ("3b: T = 50.00 €", MonthTotals(bonus_cents=50_00), 100, 50, 0, 0),
        ("4: A 300 € + B 250 € pooled", pool([MonthTotals(300_00), MonthTotals(250_00)]), 300, 16_50, 0, 0),
        ("5a: SOK, T = 850 €", MonthTotals(bonus_cents=850_00), 450, 38_25, 0, 0),
        ("5b: SOK, T = 900 €", MonthTotals(bonus_cents=900_00), 500, 45_00, 0, 0),
        (
            "6: 800 € incl. 100 € ABC fuel, 60 l",
            MonthTotals(bonus_cents=700_00, fuel_cents=100_00, fuel_millilitres=60_000),
            450,
            31_50,
            2_70,
            0,
        ),
        (
            "7: 600 € incl. 100 € at a double-Bonus outlet",
            MonthTotals(bonus_cents=500_00, double_cents=100_00),
            350,
            24_50,
            0,
            0,
        ),
        (
            "8: 400 € paid by S-Etukortti Visa, 30 € alcohol excluded",
            MonthTotals(bonus_cents=370_00, payment_method_cents=370_00),
            200,
            7_40,
            0,
            1_85,
        ),
    ],
)
def test_worked_examples(example, totals, rate_bp, bonus_cents, fuel_bonus_cents, payment_method_benefit_cents):
    month = compute_month(COMMON_TABLE, totals)

    assert month.rate_bp == rate_bp
    assert month.bonus_cents == bonus_cents
    assert month.fuel_bonus_cents == fuel_bonus_cents
    assert month.payment_method_benefit_cents == payment_method_benefit_cents


def test_household_purchases_pool_into_one_tier():
    member_a, member_b = MonthTotals(bonus_cents=300_00), MonthTotals(bonus_cents=250_00)

    household = compute_month(COMMON_TABLE, pool([member_a, member_b]))
    as_separate = [compute_month(COMMON_TABLE, member) for member in (member_a, member_b)]

    assert household.bonus_cents == 16_50
    assert sum(month.bonus_cents for month in as_separate) == 9_75


def test_fifty_more_euros_lifts_850_to_the_top_tier_and_earns_6_75_more():
    at_850 = compute_month(COMMON_TABLE, MonthTotals(bonus_cents=850_00))
    at_900 = compute_month(COMMON_TABLE, MonthTotals(bonus_cents=900_00))

    assert at_900.bonus_cents - at_850.bonus_cents == 6_75


def test_fuel_euros_count_toward_the_tier_but_earn_cents_per_litre_not_percent():
    totals = MonthTotals(bonus_cents=350_00, fuel_cents=50_00, fuel_millilitres=25_000)

    month = compute_month(COMMON_TABLE, totals)

    assert month.tier_total_cents == 400_00
    assert month.rate_bp == 250
    assert (month.bonus_cents, month.fuel_bonus_cents) == (8_75, 63)


@pytest.mark.parametrize(
    ("numerator", "denominator", "rounded"),
    [(0, 10, 0), (4, 10, 0), (5, 10, 1), (15, 10, 2), (-4, 10, 0), (-5, 10, -1), (-15, 10, -2)],
)
def test_round_half_up_rounds_halves_away_from_zero(numerator, denominator, rounded):
    assert round_half_up(numerator, denominator) == rounded


@pytest.mark.parametrize(
    ("totals", "bonus_cents", "fuel_bonus_cents", "payment_method_benefit_cents"),
    [
        (MonthTotals(bonus_cents=200_99), 3_01, 0, 0),  # 1.5 % x 200.99 = 3.01485
        (MonthTotals(bonus_cents=201_00), 3_02, 0, 0),  # 1.5 % x 201.00 = 3.015
        (MonthTotals(bonus_cents=400_20), 10_01, 0, 0),  # 2.5 % x 400.20 = 10.005
        (MonthTotals(bonus_cents=800_00, fuel_millilitres=1_000), 36_00, 5, 0),  # 1 l x 4.5 c/l
        (MonthTotals(bonus_cents=800_00, fuel_millilitres=999), 36_00, 4, 0),  # 0.999 l x 4.5 c/l
        (MonthTotals(payment_method_cents=1_00), 0, 0, 1),  # 0.5 % x 1.00 = 0.005
        (MonthTotals(payment_method_cents=99), 0, 0, 0),  # 0.5 % x 0.99 = 0.00495
    ],
)
def test_amounts_round_half_up_to_the_cent(totals, bonus_cents, fuel_bonus_cents, payment_method_benefit_cents):
    month = compute_month(COMMON_TABLE, totals)

    assert (month.bonus_cents, month.fuel_bonus_cents, month.payment_method_benefit_cents) == (
        bonus_cents,
        fuel_bonus_cents,
        payment_method_benefit_cents,
    )


def test_bonus_is_rounded_once_over_the_household_month_not_per_member():
    member = MonthTotals(bonus_cents=250_10)  # 3 % x 250.10 = 7.503 each, 15.006 together

    household = compute_month(COMMON_TABLE, pool([member, member]))

    assert household.bonus_cents == 15_01
    assert 2 * round_half_up(300 * member.bonus_cents, 10_000) == 15_00


def test_double_bonus_is_twice_the_month_rate_and_fuel_bonus_is_never_doubled():
    totals = MonthTotals(double_cents=900_00, fuel_millilitres=10_000)

    month = compute_month(COMMON_TABLE, totals)

    assert (month.rate_bp, month.bonus_cents, month.fuel_bonus_cents) == (500, 90_00, 50)


@pytest.mark.parametrize(
    ("total_cents", "next_threshold_cents", "cents_to_next_tier"),
    [
        (-20_00, 50_00, 70_00),
        (0, 50_00, 50_00),
        (399_00, 400_00, 1_00),
        (899_99, 900_00, 1),
        (900_00, None, None),
    ],
)
def test_month_tells_how_far_the_next_tier_is(total_cents, next_threshold_cents, cents_to_next_tier):
    month = compute_month(COMMON_TABLE, MonthTotals(bonus_cents=total_cents))

    assert (month.next_threshold_cents, month.cents_to_next_tier) == (next_threshold_cents, cents_to_next_tier)


@pytest.mark.parametrize(
    "totals",
    [
        MonthTotals(),
        MonthTotals(bonus_cents=-120_00, fuel_millilitres=5_000),
        MonthTotals(bonus_cents=100_00, double_cents=-100_00),
        MonthTotals(bonus_cents=-300_00, double_cents=100_00, fuel_cents=50_00, fuel_millilitres=20_000),
    ],
)
def test_a_zero_or_negative_total_earns_no_rate_and_no_bonus(totals):
    month = compute_month(COMMON_TABLE, totals)

    assert (month.rate_bp, month.bonus_cents, month.fuel_bonus_cents) == (0, 0, 0)


def test_returns_reduce_a_months_bonus_to_zero_but_not_below():
    totals = MonthTotals(bonus_cents=-200_00, fuel_cents=800_00, fuel_millilitres=400_000)

    month = compute_month(COMMON_TABLE, totals)

    assert (month.rate_bp, month.bonus_cents, month.fuel_bonus_cents) == (350, 0, 14_00)


@pytest.mark.parametrize(
    ("totals", "rate_bp", "benefit_cents"),
    [
        (MonthTotals(payment_method_cents=100_00), 50, 50),
        (MonthTotals(bonus_cents=900_00, payment_method_cents=100_00), 50, 50),
        (MonthTotals(payment_method_cents=100_00), 100, 1_00),
        (MonthTotals(payment_method_cents=-100_00), 50, 0),
    ],
)
def test_payment_method_benefit_does_not_depend_on_the_tier(totals, rate_bp, benefit_cents):
    month = compute_month(COMMON_TABLE, totals, payment_method_rate_bp=rate_bp)

    assert month.payment_method_benefit_cents == benefit_cents


purchases = st.integers(min_value=0, max_value=50_000_00)


@given(bonus_cents=purchases, double_cents=purchases, fuel_cents=purchases)
def test_bonus_never_exceeds_ten_percent_of_the_tier_total(bonus_cents, double_cents, fuel_cents):
    totals = MonthTotals(bonus_cents=bonus_cents, double_cents=double_cents, fuel_cents=fuel_cents)

    month = compute_month(COMMON_TABLE, totals)

    assert month.bonus_cents <= round_half_up(totals.tier_total_cents, 10)
