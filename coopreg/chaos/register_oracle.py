"""What the whole register must end with, from the generated month alone (never from the services' tables).

- Each receipt is the household's that held the card at purchase time: the buyer's household, or after the
  buyer's move the new one; a replacement card is the same person's.
- Each household-month is priced by its cooperative's tier table (the pure domain rules); the closed month's
  payouts are split as the bonus rules split them. An erased member's receipts stay in their household's
  month (the household's figures are its own) but their booked rows are gone.
- The segment's latest state holds exactly the people who granted the e-mail permission (before or during the
  month) and did not withdraw it, die or get erased.
- Each erased person's identifiers are nowhere but where `coopreg prove erasure` allows them.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from contracts.events.pos import PosPurchase
from coopreg.chaos.oracle import HouseholdMonth, receipt_totals
from coopreg.chaos.register_scenario import MONTH, RegisterScenario
from services.bonus.domain import MonthTotals, compute_month, load_tier_tables, split_payout
from services.bonus.domain.months import month_of
from services.purchases.domain.eligibility_rules import default_rules


@dataclass(frozen=True)
class RegisterExpected:
    households: dict[str, str]  # receipt id → household id, of every receipt (erased buyers' too)
    booked: dict[str, str]  # receipt id → household id, of the receipts whose rows stay
    totals: dict[HouseholdMonth, MonthTotals]
    receipts: Counter  # household-month → receipts counted
    payouts: dict[str, dict[str, int]]  # household → kind → cents, of the closed month
    households_closed: int  # households with a statement of the closed month
    malformed: dict[bytes, str]
    conflicts: frozenset[str]
    segment: frozenset[str]  # people in the segment at the end
    out_of_segment: frozenset[str]  # people who must not be: withdrawn, dead, erased


def register_expected(scenario: RegisterScenario) -> RegisterExpected:
    rules, tables = default_rules(), load_tier_tables()
    changes = scenario.changes
    person_of_card = {m.card: m.person_id for h in scenario.households for m in h.members}
    person_of_card |= {new: person_of_card[old] for old, (_, new) in changes.replaced.items()}
    household_of = {m.person_id: h.household_id for h in scenario.households for m in h.members}
    cooperative = {h.household_id: h.cooperative_id for h in scenario.households}

    def household(purchase: PosPurchase) -> str:
        person = person_of_card[purchase.identifier.value]
        if person in changes.moves and purchase.purchased_at >= changes.moves[person][0]:
            return changes.moves[person][1]
        return household_of[person]

    every = scenario.receipts + scenario.next_receipts
    months = {r.receipt_id: month_of(r.purchased_at) for r in every}
    totals: dict[HouseholdMonth, MonthTotals] = defaultdict(MonthTotals)
    receipts: Counter = Counter()
    households, booked = {}, {}
    for purchase in every:
        owner = household(purchase)
        key = (owner, months[purchase.return_of or purchase.receipt_id])  # a return counts in its sale's month
        totals[key] += receipt_totals(purchase, rules)
        receipts[key] += 1
        households[purchase.receipt_id] = owner
        if person_of_card[purchase.identifier.value] not in changes.erased:
            booked[purchase.receipt_id] = owner
    # A partner purchase is a receipt total, credited to the member number's household: Bonus on all of it
    # when the customer was registered with that partner at purchase time, nothing otherwise (domain.md §1.5).
    for customer in scenario.partner_customers:
        for bought in (p for p in scenario.partner_purchases if p.member_number == customer.member_number):
            key = (customer.household_id, month_of(bought.purchased_at))
            registered = bought.partner_id == customer.registered_with
            totals[key] += MonthTotals(bonus_cents=bought.total_cents if registered else 0)
            receipts[key] += 1
            receipt_id = f"partner:{bought.partner_id}:{bought.purchase_id}"
            households[receipt_id] = booked[receipt_id] = customer.household_id
    payouts = {}
    closed = [(h, m) for h, m in totals if m == MONTH]
    for owner, month in closed:
        result = compute_month(tables.table_for(cooperative[owner], month), totals[(owner, month)])
        split = split_payout(result.bonus_cents, result.fuel_bonus_cents, result.payment_method_benefit_cents, 0)
        if split.transactions:
            payouts[owner] = {str(t.kind): t.cents for t in split.transactions}
    gone = set(changes.withdrawn) | set(changes.dead) | changes.erased
    return RegisterExpected(households, booked, dict(totals), receipts, payouts, len(closed),
                            dict(scenario.malformed), frozenset(scenario.conflicts),
                            frozenset((changes.granted | set(changes.granted_later)) - gone),
                            frozenset(gone & changes.granted))

