"""Split a POS receipt into Bonus, Fuel Bonus and payment-method benefit amounts (domain §9 rules 3, 4, 7).

Allocation choices ([A]: rounding and returns are NOT FOUND in the sources):
* Excluded categories come off line by line and do not count toward the tier.
* Fuel sold by the litre at a fuel chain (ABC) counts toward the tier but earns Fuel Bonus in c/l, so
  it is reported as `fuel_cents` and `fuel_millilitres`, not in `bonus_eligible_cents`.
* The part paid with a no-Bonus method (gift card, ...) comes off the eligible amount, non-fuel first
  and then fuel, never past zero. Taking it off the eligible part (not pro rata) guarantees Bonus is
  never granted twice on gift-card money; Fuel Bonus litres shrink in proportion to the fuel euros.
* A payment with a voiding method (company card) makes the whole receipt earn nothing.
* Payment-method benefit = its eligible lines x (paid with an S-Etukortti feature / total paid),
  truncated toward zero and never more than was paid with the card; only at S-Group's own outlets
  in Finland. Bonus itself is not limited to Finland.
* Every rule is odd-symmetric: a return (negative amounts) gives exactly the negated figures.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from services.purchases.domain.eligibility_rules import EligibilityRules


class LineFacts(Protocol):
    """What the rules read of a receipt line: a `ReceiptLine`, or the receipt contract's line as it arrived."""

    @property
    def line_no(self) -> int: ...
    @property
    def product_id(self) -> str: ...
    @property
    def product_group(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def quantity_milli(self) -> int: ...
    @property
    def unit(self) -> str: ...
    @property
    def amount_cents(self) -> int: ...


class PaymentFacts(Protocol):
    """What the rules read of a payment: a `Payment`, or the receipt contract's payment."""

    @property
    def method(self) -> str: ...
    @property
    def amount_cents(self) -> int: ...


class ReceiptFacts(Protocol):
    """What the rules read of a receipt: a `Receipt`, or the receipt contract (`PosPurchase`), which has
    these attributes under the same names, so the service classifies a validated contract as it is."""

    @property
    def chain(self) -> str: ...
    @property
    def outlet_id(self) -> str: ...
    @property
    def lines(self) -> Sequence[LineFacts]: ...
    @property
    def payments(self) -> Sequence[PaymentFacts]: ...
    @property
    def channel(self) -> str: ...
    @property
    def abroad(self) -> bool: ...


@dataclass(frozen=True)
class ReceiptLine:
    """One receipt line; `quantity_milli` is in thousandths of `unit`, `amount_cents` < 0 on returns."""

    line_no: int
    product_id: str
    product_group: str
    category: str
    quantity_milli: int
    unit: str
    amount_cents: int


@dataclass(frozen=True)
class Payment:
    """One payment on the receipt; negative when money goes back to the customer."""

    method: str
    amount_cents: int


@dataclass(frozen=True)
class Receipt:
    """A POS receipt as the purchases service sees it (`ReceiptFacts`), made up where no contract is at hand."""

    chain: str
    outlet_id: str
    lines: tuple[ReceiptLine, ...]
    payments: tuple[Payment, ...]
    channel: str = "store"
    abroad: bool = False


class Exclusion(NamedTuple):
    """Cents kept out of a benefit, why, and from which line (None: the receipt as a whole)."""

    line_no: int | None
    reason: str
    cents: int


@dataclass(frozen=True, slots=True)
class ReceiptEligibility:
    """What a receipt earns: `excluded` explains Bonus, `payment_method_excluded` the benefit."""

    bonus_eligible_cents: int
    fuel_cents: int = 0
    fuel_millilitres: int = 0
    payment_method_eligible_cents: int = 0
    excluded: tuple[Exclusion, ...] = ()
    payment_method_excluded: tuple[Exclusion, ...] = ()

    @property
    def tier_purchases_cents(self) -> int:
        """The amount counting toward the household's monthly tier: fuel euros included."""
        return self.bonus_eligible_cents + self.fuel_cents


_REASON_BY_CATEGORY = {"gift_card": "gift_card_purchase"}


def classify_receipt(receipt: ReceiptFacts, rules: EligibilityRules) -> ReceiptEligibility:
    """Classify one S-Group or in-store partner receipt under `rules`."""
    voiding = [p.method for p in receipt.payments
               if p.method in rules.bonus_voiding_methods and p.amount_cents]
    if voiding:
        whole = (Exclusion(None, voiding[0], _lines_total(receipt)),)
        return ReceiptEligibility(0, excluded=whole, payment_method_excluded=whole)
    bonus = _bonus_part(receipt, rules)
    payment_cents, payment_excluded = _payment_method_benefit(receipt, rules)
    return ReceiptEligibility(bonus.bonus_eligible_cents, bonus.fuel_cents, bonus.fuel_millilitres,
                              payment_cents, bonus.excluded, payment_excluded)


def classify_partner_purchase(total_cents: int, partner_registered: bool) -> ReceiptEligibility:
    """A partner purchase is a receipt total: Bonus only with a valid registration, never the benefit."""
    no_benefit = (Exclusion(None, "partner_outlet", total_cents),)
    if partner_registered:
        return ReceiptEligibility(total_cents, payment_method_excluded=no_benefit)
    unregistered = (Exclusion(None, "partner_not_registered", total_cents),)
    return ReceiptEligibility(0, excluded=unregistered, payment_method_excluded=no_benefit)


def _bonus_part(receipt: ReceiptFacts, rules: EligibilityRules) -> ReceiptEligibility:
    fuel_lines: list[LineFacts] = []
    other_lines: list[LineFacts] = []
    for line in receipt.lines:
        (fuel_lines if _earns_fuel_bonus(line, receipt.chain, rules) else other_lines).append(line)
    eligible, excluded = _split_excluded(other_lines, rules.bonus_excluded_categories)
    bonus = ReceiptEligibility(
        bonus_eligible_cents=eligible,
        fuel_cents=sum(line.amount_cents for line in fuel_lines),
        fuel_millilitres=sum(_signed_millilitres(line) for line in fuel_lines),
        excluded=excluded,
    )
    for method, paid in _paid_by_method(receipt.payments, rules.no_bonus_methods).items():
        bonus = _take_off_paid_part(bonus, method, paid)
    return bonus


def _take_off_paid_part(bonus: ReceiptEligibility, method: str, paid: int) -> ReceiptEligibility:
    """Remove what `method` paid from the eligible amount, non-fuel first, then fuel (and its litres)."""
    eligible, from_eligible = _take_off(bonus.bonus_eligible_cents, paid)
    fuel, from_fuel = _take_off(bonus.fuel_cents, paid - from_eligible)
    if not (from_eligible or from_fuel):
        return bonus
    return ReceiptEligibility(
        bonus_eligible_cents=eligible,
        fuel_cents=fuel,
        fuel_millilitres=_share(bonus.fuel_millilitres, fuel, bonus.fuel_cents) if from_fuel
        else bonus.fuel_millilitres,
        excluded=(*bonus.excluded, Exclusion(None, f"paid_with_{method}", from_eligible + from_fuel)),
    )


def _payment_method_benefit(receipt: ReceiptFacts, rules: EligibilityRules) -> tuple[int, tuple[Exclusion, ...]]:
    if receipt.abroad:
        return 0, (Exclusion(None, "abroad", _lines_total(receipt)),)
    if receipt.chain not in rules.own_chains or receipt.channel == "partner":
        return 0, (Exclusion(None, "partner_outlet", _lines_total(receipt)),)
    excluded_categories = rules.payment_benefit_excluded_categories
    if receipt.chain in rules.payment_benefit_requires_bonus_chains:
        excluded_categories = excluded_categories | rules.bonus_excluded_categories
    base, excluded = _split_excluded(receipt.lines, excluded_categories)
    card_paid = sum(p.amount_cents for p in receipt.payments if p.method in rules.payment_benefit_methods)
    total_paid = sum(p.amount_cents for p in receipt.payments)
    eligible = _capped(_share(base, card_paid, total_paid), card_paid)
    if base != eligible:
        excluded += (Exclusion(None, "not_paid_with_s_etukortti", base - eligible),)
    return eligible, excluded


def _split_excluded(
    lines: Iterable[LineFacts], excluded_categories: frozenset[str]
) -> tuple[int, tuple[Exclusion, ...]]:
    """The cents of the lines outside `excluded_categories`, and one exclusion per line inside."""
    kept, excluded = 0, []
    for line in lines:
        if line.category in excluded_categories:
            excluded.append(Exclusion(line.line_no, _REASON_BY_CATEGORY.get(line.category, line.category),
                                      line.amount_cents))
        else:
            kept += line.amount_cents
    return kept, tuple(excluded)


def _earns_fuel_bonus(line: LineFacts, chain: str, rules: EligibilityRules) -> bool:
    """Fuel sold by the litre at a fuel chain earns c/l; fuel elsewhere is an ordinary purchase."""
    return chain in rules.fuel_chains and line.category == rules.fuel_category and line.unit == "l"


def _signed_millilitres(line: LineFacts) -> int:
    """Litres carry the sign of the amount: a return gives litres back, a free line earns none."""
    if line.amount_cents == 0:
        return 0
    return abs(line.quantity_milli) if line.amount_cents > 0 else -abs(line.quantity_milli)


def _paid_by_method(payments: Iterable[PaymentFacts], methods: frozenset[str]) -> dict[str, int]:
    """Cents paid with each of `methods`, in order of first payment."""
    paid: dict[str, int] = {}
    for payment in payments:
        if payment.method in methods:
            paid[payment.method] = paid.get(payment.method, 0) + payment.amount_cents
    return paid


def _lines_total(receipt: ReceiptFacts) -> int:
    return sum(line.amount_cents for line in receipt.lines)


def _take_off(amount: int, paid: int) -> tuple[int, int]:
    """Reduce `amount` toward zero by `paid` when both point the same way; returns (rest, taken)."""
    if amount * paid <= 0:
        return amount, 0
    taken = min(abs(amount), abs(paid))
    taken = taken if amount > 0 else -taken
    return amount - taken, taken


def _capped(amount: int, limit: int) -> int:
    """`amount`, but never further from zero than `limit` when both point the same way."""
    if amount * limit > 0 and abs(amount) > abs(limit):
        return limit
    return amount


def _share(amount: int, part: int, whole: int) -> int:
    """`amount` x `part` / `whole` with the ratio clamped to [0, 1], truncated toward zero."""
    if whole == 0 or part * whole <= 0:
        return 0
    magnitude = abs(amount) * min(abs(part), abs(whole)) // abs(whole)
    return magnitude if amount >= 0 else -magnitude
