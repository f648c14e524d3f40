"""What the register must end with, computed from the generated input by the pure domain rules alone.

It checks the plumbing, not the rules (unit tests check those): every valid receipt counted once in its
household's month, each household-month priced by its cooperative's tier table, one payout per household
split into its transactions, every conflicting duplicate flagged and every malformed message dead-lettered.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

from contracts.events.pos import PosPurchase
from coopreg.chaos.scenario import Scenario
from services.bonus.domain import MonthTotals, TierTables, compute_month, load_tier_tables, split_payout
from services.bonus.domain.months import month_of
from services.purchases.domain.eligibility import Payment, Receipt, ReceiptLine, classify_receipt
from services.purchases.domain.eligibility_rules import EligibilityRules, default_rules

HouseholdMonth = tuple[str, date]


@dataclass(frozen=True)
class Expected:
    households: dict[str, str]  # receipt id → household id
    totals: dict[HouseholdMonth, MonthTotals]
    receipts: Counter  # household-month → receipts booked
    payouts: dict[str, dict[str, int]]  # household → payout transaction kind → cents
    malformed: dict[bytes, str]
    conflicts: frozenset[str]


def domain_receipt(purchase: PosPurchase) -> Receipt:
    return Receipt(chain=purchase.chain, outlet_id=purchase.outlet_id, channel=purchase.channel,
                   abroad=purchase.abroad, payments=tuple(Payment(p.method, p.amount_cents) for p in purchase.payments),
                   lines=tuple(ReceiptLine(line.line_no, line.product_id, line.product_group, line.category,
                                           line.quantity_milli, line.unit, line.amount_cents)
                               for line in purchase.lines))


def receipt_totals(purchase: PosPurchase, rules: EligibilityRules) -> MonthTotals:
    eligibility = classify_receipt(domain_receipt(purchase), rules)
    return MonthTotals(bonus_cents=eligibility.bonus_eligible_cents, fuel_cents=eligibility.fuel_cents,
                       fuel_millilitres=eligibility.fuel_millilitres,
                       payment_method_cents=eligibility.payment_method_eligible_cents)


def expected_outcome(scenario: Scenario, rules: EligibilityRules | None = None,
                     tables: TierTables | None = None) -> Expected:
    rules, tables = rules or default_rules(), tables or load_tier_tables()
    household_of_card = {m.card: h for h in scenario.households for m in h.members}
    months = {r.receipt_id: month_of(r.purchased_at) for r in scenario.receipts}
    totals: dict[HouseholdMonth, MonthTotals] = defaultdict(MonthTotals)
    receipts: Counter = Counter()
    households: dict[str, str] = {}
    cooperative: dict[str, str] = {}
    for purchase in scenario.receipts:
        buyer = household_of_card[purchase.identifier.value]
        # a return belongs to the month of the receipt it returns
        key = (buyer.household_id, months[purchase.return_of or purchase.receipt_id])
        totals[key] += receipt_totals(purchase, rules)
        receipts[key] += 1
        households[purchase.receipt_id] = buyer.household_id
        cooperative[buyer.household_id] = buyer.cooperative_id
    payouts: dict[str, dict[str, int]] = {}
    for (household, month), month_totals in totals.items():
        result = compute_month(tables.table_for(cooperative[household], month), month_totals)
        split = split_payout(result.bonus_cents, result.fuel_bonus_cents, result.payment_method_benefit_cents, 0)
        if split.transactions:
            payouts[household] = {str(t.kind): t.cents for t in split.transactions}
    return Expected(households, dict(totals), receipts, payouts, dict(scenario.malformed),
                    frozenset(scenario.conflicts))
