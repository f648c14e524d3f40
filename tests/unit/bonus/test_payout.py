from datetime import date

import pytest

from services.bonus.domain.calculation import MonthTotals, compute_month
from services.bonus.domain.payout import NegativePayoutAmount, PayoutKind, split_payout
from services.bonus.domain.tiers import COMMON, load_tier_tables

pytestmark = pytest.mark.unit

BONUS, BENEFIT, FUEL = PayoutKind.BONUS, PayoutKind.PAYMENT_METHOD_BENEFIT, PayoutKind.FUEL_BONUS


@pytest.mark.parametrize(
    ("case", "earned", "open_fee", "to_fee", "cash", "open_after"),
    [
        # domain.md §9 worked example 9: 20 € of 100 € paid; 45 € Bonus + 2 € benefit all go to the fee.
        ("9: partial fee absorbs everything", (45_00, 0, 2_00), 80_00, 47_00, [], 33_00),
        ("fee fully paid", (45_00, 2_70, 2_00), 0, 0, [(BONUS, 45_00), (BENEFIT, 2_00), (FUEL, 2_70)], 0),
        ("bonus covers the fee", (45_00, 0, 2_00), 30_00, 30_00, [(BONUS, 15_00), (BENEFIT, 2_00)], 0),
        ("benefit finishes the fee", (45_00, 0, 2_00), 46_00, 46_00, [(BENEFIT, 1_00)], 0),
        ("fee exactly equal to earnings", (45_00, 0, 2_00), 47_00, 47_00, [], 0),
        ("fuel bonus is always cash", (0, 2_70, 0), 80_00, 0, [(FUEL, 2_70)], 80_00),
        ("nothing earned", (0, 0, 0), 80_00, 0, [], 80_00),
    ],
)
def test_bonus_and_payment_method_benefit_pay_the_open_fee_first(case, earned, open_fee, to_fee, cash, open_after):
    bonus, fuel_bonus, benefit = earned

    split = split_payout(bonus, fuel_bonus, benefit, open_fee)

    assert split.contribution_cents == to_fee
    assert [(t.kind, t.cents) for t in split.transactions] == cash
    assert split.open_contribution_after_cents == open_after
    assert split.contribution_cents + split.cash_cents == bonus + fuel_bonus + benefit


def test_a_new_members_first_top_tier_month_goes_entirely_to_the_fee():
    table = load_tier_tables().table_for(COMMON, date(2024, 5, 1))
    month = compute_month(table, MonthTotals(bonus_cents=900_00, payment_method_cents=400_00))

    split = split_payout(month.bonus_cents, month.fuel_bonus_cents, month.payment_method_benefit_cents, 80_00)

    assert (split.contribution_cents, split.cash_cents, split.open_contribution_after_cents) == (47_00, 0, 33_00)


@pytest.mark.parametrize("amounts", [(-1, 0, 0, 0), (0, -1, 0, 0), (0, 0, -1, 0), (0, 0, 0, -1)])
def test_negative_payout_amounts_are_rejected(amounts):
    with pytest.raises(NegativePayoutAmount):
        split_payout(*amounts)


@pytest.mark.parametrize("returned, cash", [
    (4700, {PayoutKind.BONUS: 4500, PayoutKind.PAYMENT_METHOD_BENEFIT: 200}),  # nothing applied
    (150, {PayoutKind.PAYMENT_METHOD_BENEFIT: 150}),  # the fee kept all its Bonus
    (4800, {PayoutKind.BONUS: 4600, PayoutKind.PAYMENT_METHOD_BENEFIT: 200}),  # more than withheld: as Bonus
])
def test_what_the_fee_could_not_take_comes_back_benefit_first(returned, cash):
    from services.bonus.domain.payout import returned_in_cash

    assert {t.kind: t.cents for t in returned_in_cash(4500, 200, returned)} == cash
