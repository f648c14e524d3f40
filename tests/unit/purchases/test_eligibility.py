"""Receipt eligibility: which cents earn Bonus, Fuel Bonus and the payment-method benefit."""

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.purchases.domain.eligibility import (
    Exclusion,
    Payment,
    Receipt,
    ReceiptEligibility,
    ReceiptLine,
    classify_partner_purchase,
    classify_receipt,
)
from services.purchases.domain.eligibility_rules import (
    CATEGORIES,
    PAYMENT_METHODS,
    InvalidEligibilityRules,
    default_rules,
    rules_from_dict,
    rules_to_dict,
)

pytestmark = pytest.mark.unit

RULES = default_rules()


def line(category: str, cents: int, line_no: int = 1, quantity_milli: int = 1000,
         unit: str = "pcs") -> ReceiptLine:
    return ReceiptLine(line_no, f"p-{line_no}", "group", category, quantity_milli, unit, cents)


def receipt(*lines: ReceiptLine, payments: tuple[Payment, ...] | None = None, chain: str = "prisma",
            **kwargs) -> Receipt:
    if payments is None:
        payments = (Payment("s_etukortti_debit", sum(item.amount_cents for item in lines)),)
    return Receipt(chain, "outlet-1", tuple(lines), payments, **kwargs)


def negated(result: ReceiptEligibility) -> ReceiptEligibility:
    def flip(exclusions):
        return tuple(Exclusion(e.line_no, e.reason, -e.cents) for e in exclusions)

    return ReceiptEligibility(
        -result.bonus_eligible_cents, -result.fuel_cents, -result.fuel_millilitres,
        -result.payment_method_eligible_cents, flip(result.excluded), flip(result.payment_method_excluded),
    )


# category, Bonus cents, payment-method cents, Bonus reason, payment-method reason
CATEGORY_TABLE = [
    ("grocery", 1000, 1000, None, None),
    ("general", 1000, 1000, None, None),
    ("alcohol", 0, 0, "alcohol", "alcohol"),
    ("tobacco", 0, 0, "tobacco", "tobacco"),
    ("gift_card", 0, 0, "gift_card_purchase", "gift_card_purchase"),
    ("deposit", 0, 0, "deposit", "deposit"),
    ("stamps", 0, 0, "stamps", "stamps"),
    ("gambling", 0, 0, "gambling", "gambling"),
    ("prepaid_topup", 0, 0, "prepaid_topup", "prepaid_topup"),
    ("fuel", 1000, 1000, None, None),  # outside a fuel chain fuel is an ordinary Bonus purchase
    ("medicine", 0, 0, "medicine", "medicine"),
    ("car", 1000, 0, None, "car"),
    ("car_service", 1000, 1000, None, None),
    ("service", 1000, 1000, None, None),
    ("invoiced", 0, 0, "invoiced", "invoiced"),
]


def test_category_table_covers_every_category():
    assert {row[0] for row in CATEGORY_TABLE} == CATEGORIES


@pytest.mark.parametrize("category, bonus, payment, bonus_reason, payment_reason", CATEGORY_TABLE)
def test_each_category_earns_bonus_and_payment_method_benefit_per_the_rules(
        category, bonus, payment, bonus_reason, payment_reason):
    result = classify_receipt(receipt(line(category, 1000)), RULES)

    assert result.bonus_eligible_cents == bonus
    assert result.payment_method_eligible_cents == payment
    assert result.excluded == ((Exclusion(1, bonus_reason, 1000),) if bonus_reason else ())
    assert result.payment_method_excluded == ((Exclusion(1, payment_reason, 1000),) if payment_reason else ())


# method, Bonus cents, payment-method cents, Bonus reason
METHOD_TABLE = [
    ("s_etukortti_debit", 10000, 10000, None),
    ("s_etukortti_credit", 10000, 10000, None),
    ("other_card", 10000, 0, None),
    ("cash", 10000, 0, None),
    ("gift_card", 0, 0, "paid_with_gift_card"),
    ("company_card", 0, 0, "company_card"),
    ("invoice", 0, 0, "paid_with_invoice"),
    ("employee_benefit", 10000, 0, None),
    ("mobile_pay", 10000, 0, None),
]


def test_method_table_covers_every_payment_method():
    assert {row[0] for row in METHOD_TABLE} == PAYMENT_METHODS


@pytest.mark.parametrize("method, bonus, payment, bonus_reason", METHOD_TABLE)
def test_each_payment_method_earns_per_the_rules(method, bonus, payment, bonus_reason):
    result = classify_receipt(receipt(line("grocery", 10000), payments=(Payment(method, 10000),)), RULES)

    assert result.bonus_eligible_cents == bonus
    assert result.payment_method_eligible_cents == payment
    assert [e.reason for e in result.excluded] == ([bonus_reason] if bonus_reason else [])


def test_worked_example_8_alcohol_is_excluded_from_bonus_and_payment_method_benefit():
    # 400 € paid with S-Etukortti Visa, of which 30 € alcohol
    visa_receipt = receipt(line("grocery", 37000, 1), line("alcohol", 3000, 2),
                           payments=(Payment("s_etukortti_credit", 40000),))

    result = classify_receipt(visa_receipt, RULES)

    assert result.payment_method_eligible_cents == 37000
    assert result.bonus_eligible_cents == 37000
    assert result.excluded == (Exclusion(2, "alcohol", 3000),)


def test_part_paid_with_gift_card_comes_off_the_eligible_amount():
    mixed = receipt(line("grocery", 10000, 1), line("alcohol", 2000, 2),
                    payments=(Payment("gift_card", 5000), Payment("s_etukortti_debit", 7000)))

    result = classify_receipt(mixed, RULES)

    assert result.bonus_eligible_cents == 5000
    assert result.excluded == (Exclusion(2, "alcohol", 2000), Exclusion(None, "paid_with_gift_card", 5000))
    # payment-method benefit: 100 € eligible x 70/120 paid with the card, truncated
    assert result.payment_method_eligible_cents == 5833
    assert result.payment_method_excluded == (
        Exclusion(2, "alcohol", 2000), Exclusion(None, "not_paid_with_s_etukortti", 4167))


def test_gift_card_part_larger_than_the_eligible_amount_takes_it_only_to_zero():
    mixed = receipt(line("grocery", 3000, 1), line("alcohol", 5000, 2),
                    payments=(Payment("gift_card", 6000), Payment("cash", 2000)))

    result = classify_receipt(mixed, RULES)

    assert result.bonus_eligible_cents == 0
    assert Exclusion(None, "paid_with_gift_card", 3000) in result.excluded


def test_gift_card_part_beyond_other_purchases_comes_off_fuel_and_its_litres():
    forecourt = receipt(line("grocery", 2000, 1), line("fuel", 6000, 2, 40_000, "l"), chain="abc",
                        payments=(Payment("gift_card", 5000), Payment("cash", 3000)))

    result = classify_receipt(forecourt, RULES)

    assert (result.bonus_eligible_cents, result.fuel_cents, result.fuel_millilitres) == (0, 3000, 20_000)
    assert result.excluded == (Exclusion(None, "paid_with_gift_card", 5000),)


def test_employee_benefit_payments_can_be_configured_to_earn_no_bonus():
    rules = replace(RULES, no_bonus_methods=RULES.no_bonus_methods | {"employee_benefit"})
    paid = receipt(line("service", 8000), payments=(Payment("employee_benefit", 8000),))

    result = classify_receipt(paid, rules)

    assert result.bonus_eligible_cents == 0
    assert result.excluded == (Exclusion(None, "paid_with_employee_benefit", 8000),)


def test_any_company_card_payment_voids_the_whole_receipt():
    split = receipt(line("grocery", 9000, 1), line("fuel", 1000, 2, 500, "l"), chain="abc",
                    payments=(Payment("company_card", 1000), Payment("s_etukortti_debit", 9000)))

    result = classify_receipt(split, RULES)

    assert result == ReceiptEligibility(
        0, 0, 0, 0, (Exclusion(None, "company_card", 10000),), (Exclusion(None, "company_card", 10000),))


def test_purchases_abroad_earn_bonus_but_no_payment_method_benefit():
    result = classify_receipt(receipt(line("grocery", 5000), abroad=True), RULES)

    assert result.bonus_eligible_cents == 5000
    assert result.payment_method_eligible_cents == 0
    assert result.payment_method_excluded == (Exclusion(None, "abroad", 5000),)


@pytest.mark.parametrize("chain, channel", [
    ("partner", "store"), ("prisma", "partner"), ("unknown-chain", "store"),
])
def test_partner_outlets_earn_bonus_but_no_payment_method_benefit(chain, channel):
    result = classify_receipt(receipt(line("grocery", 5000), chain=chain, channel=channel), RULES)

    assert result.bonus_eligible_cents == 5000
    assert result.payment_method_excluded == (Exclusion(None, "partner_outlet", 5000),)


def test_online_purchases_at_own_chains_earn_payment_method_benefit():
    result = classify_receipt(receipt(line("grocery", 5000), channel="online"), RULES)

    assert result.payment_method_eligible_cents == 5000


def test_s_rauta_grants_payment_method_benefit_only_on_bonus_eligible_purchases():
    rules = replace(RULES, bonus_excluded_categories=RULES.bonus_excluded_categories | {"service"})
    hardware = receipt(line("general", 4000, 1), line("service", 1000, 2), chain="s-rauta")

    assert classify_receipt(hardware, rules).payment_method_eligible_cents == 4000
    elsewhere = replace(hardware, chain="prisma-rauta")
    assert classify_receipt(elsewhere, rules).payment_method_eligible_cents == 5000


def test_fuel_at_a_fuel_chain_counts_toward_the_tier_and_earns_litres_not_percent():
    forecourt = receipt(line("fuel", 8190, 1, 45_500, "l"), line("grocery", 1000, 2), chain="abc")

    result = classify_receipt(forecourt, RULES)

    assert (result.bonus_eligible_cents, result.fuel_cents, result.fuel_millilitres) == (1000, 8190, 45_500)
    assert result.tier_purchases_cents == 9190
    assert result.payment_method_eligible_cents == 9190


def test_fuel_at_other_chains_earns_no_litres():
    result = classify_receipt(receipt(line("fuel", 3000, 1, 20_000, "l")), RULES)

    assert (result.bonus_eligible_cents, result.fuel_cents, result.fuel_millilitres) == (3000, 0, 0)


def test_fuel_not_sold_by_the_litre_is_an_ordinary_purchase():
    canister = receipt(line("fuel", 2500, 1, 1000, "pcs"), chain="abc")

    result = classify_receipt(canister, RULES)

    assert (result.bonus_eligible_cents, result.fuel_cents, result.fuel_millilitres) == (2500, 0, 0)


def test_a_return_gives_back_bonus_and_payment_method_benefit():
    refund = receipt(line("grocery", -5000, 1), line("alcohol", -1000, 2),
                     payments=(Payment("s_etukortti_debit", -6000),))

    result = classify_receipt(refund, RULES)

    assert result.bonus_eligible_cents == -5000
    assert result.payment_method_eligible_cents == -5000
    assert result.excluded == (Exclusion(2, "alcohol", -1000),)


def test_a_fuel_return_gives_back_litres_whatever_the_quantity_sign():
    refund = receipt(line("fuel", -3000, 1, 20_000, "l"), chain="abc")

    result = classify_receipt(refund, RULES)

    assert (result.fuel_cents, result.fuel_millilitres) == (-3000, -20_000)


def test_a_free_fuel_line_earns_no_litres():
    assert classify_receipt(receipt(line("fuel", 0, 1, 5000, "l"), chain="abc"), RULES).fuel_millilitres == 0


def test_a_gift_card_refund_on_a_return_takes_back_no_more_than_was_granted():
    refund = receipt(line("grocery", -10000), payments=(Payment("gift_card", -4000), Payment("cash", -6000)))

    assert classify_receipt(refund, RULES).bonus_eligible_cents == -6000


def test_registered_partner_purchase_earns_bonus_but_never_payment_method_benefit():
    assert classify_partner_purchase(12000, partner_registered=True) == ReceiptEligibility(
        12000, payment_method_excluded=(Exclusion(None, "partner_outlet", 12000),))


def test_partner_purchase_without_a_valid_registration_earns_nothing():
    result = classify_partner_purchase(12000, partner_registered=False)

    assert result.tier_purchases_cents == 0
    assert result.excluded == (Exclusion(None, "partner_not_registered", 12000),)
    assert result.payment_method_eligible_cents == 0


def test_partner_refund_gives_back_bonus():
    assert classify_partner_purchase(-2500, partner_registered=True).bonus_eligible_cents == -2500


def test_rules_survive_a_round_trip_through_json_shaped_data():
    assert rules_from_dict(rules_to_dict(RULES)) == RULES


def test_operators_override_only_the_rules_they_name():
    rules = rules_from_dict({"version": "2026-01", "effective_from": "2026-01-01",
                             "bonus_excluded_categories": ["alcohol", "gift_card"]})

    assert rules.bonus_excluded_categories == {"alcohol", "gift_card"}
    assert rules.effective_from.isoformat() == "2026-01-01"
    assert rules.payment_benefit_methods == RULES.payment_benefit_methods


@pytest.mark.parametrize("document", [
    {"bonus_excluded_categories": ["alcohol", "alcohl"]},
    {"no_bonus_methods": ["giftcard"]},
    {"fuel_category": "petrol"},
    {"exclusions": ["alcohol"]},
])
def test_rules_naming_unknown_fields_categories_or_methods_are_rejected(document):
    with pytest.raises(InvalidEligibilityRules):
        rules_from_dict(document)


_lines = st.lists(
    st.builds(line, st.sampled_from(sorted(CATEGORIES)), st.integers(-50_000, 50_000),
              st.integers(1, 99), st.integers(-100_000, 100_000), st.sampled_from(["pcs", "kg", "l"])),
    max_size=6,
)
_payments = st.lists(
    st.builds(Payment, st.sampled_from(sorted(PAYMENT_METHODS)), st.integers(-50_000, 50_000)), max_size=4)
_receipts = st.builds(
    lambda lines, payments, chain, abroad: receipt(
        *lines, payments=tuple(payments), chain=chain, abroad=abroad),
    _lines, _payments, st.sampled_from(["prisma", "abc", "s-rauta", "hotel", "partner"]), st.booleans(),
)


def _mirror(original: Receipt) -> Receipt:
    return replace(
        original,
        lines=tuple(replace(item, amount_cents=-item.amount_cents) for item in original.lines),
        payments=tuple(replace(p, amount_cents=-p.amount_cents) for p in original.payments),
    )


@given(_receipts)
def test_eligible_amounts_never_exceed_the_positive_total_and_returns_mirror_purchases(any_receipt):
    positive_total = sum(max(item.amount_cents, 0) for item in any_receipt.lines)

    result = classify_receipt(any_receipt, RULES)

    assert result.tier_purchases_cents <= positive_total
    assert result.payment_method_eligible_cents <= positive_total
    assert classify_receipt(_mirror(any_receipt), RULES) == negated(result)
