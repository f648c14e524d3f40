"""Which purchases earn Bonus, Fuel Bonus and the payment-method benefit, as versioned data.

Sources: domain.md §1.4 (Bonus exclusions), §1.7 (payment-method benefit) and §9 rules 3, 4 and 7.
The official exclusion list ("Bonuksen erityisehdot") was not found, so entries marked [A] are
assumptions. Operators change them by loading a new version with `rules_from_dict`, not by a code
change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import date
from typing import Any

CATEGORIES = frozenset({
    "grocery", "general", "alcohol", "tobacco", "gift_card", "deposit", "stamps", "gambling",
    "prepaid_topup", "fuel", "medicine", "car", "car_service", "service", "invoiced",
})
PAYMENT_METHODS = frozenset({
    "s_etukortti_debit", "s_etukortti_credit", "other_card", "cash", "gift_card", "company_card",
    "invoice", "employee_benefit", "mobile_pay",
})


@dataclass(frozen=True)
class EligibilityRules:
    """One version of the eligibility rules, in force from `effective_from`.

    * `bonus_excluded_categories`: line categories that never earn Bonus nor count toward the tier.
    * `payment_benefit_excluded_categories`: the payment-method benefit's own exclusions.
    * `payment_benefit_methods`: payment features of the S-Etukortti that earn the benefit.
    * `bonus_voiding_methods`: any payment with one of these voids the whole receipt.
    * `no_bonus_methods`: the part paid with one of these earns no Bonus.
    * `fuel_chains` / `fuel_category`: lines that earn Fuel Bonus in c/l instead of Bonus %.
    * `own_chains`: S-Group's own chains; only these earn the payment-method benefit.
    * `payment_benefit_requires_bonus_chains`: chains where the benefit also needs Bonus eligibility.
    """

    version: str
    effective_from: date
    bonus_excluded_categories: frozenset[str]
    payment_benefit_excluded_categories: frozenset[str]
    payment_benefit_methods: frozenset[str]
    bonus_voiding_methods: frozenset[str]
    no_bonus_methods: frozenset[str]
    fuel_chains: frozenset[str]
    fuel_category: str
    own_chains: frozenset[str]
    payment_benefit_requires_bonus_chains: frozenset[str]


_BONUS_EXCLUDED = frozenset({
    "alcohol",  # Alkoholilaki 1102/2017 §51.2, since 1.3.2018 [C]
    "gift_card",  # Bonus is granted once, when the gift card is spent [C]
    "invoiced",  # invoiced or contract-priced sales; invoicing partners go through partner purchases [C]
    "tobacco",  # [A]
    "deposit",  # [A] a bottle deposit is refunded, it is not a sale
    "stamps",  # [A] intermediated product
    "gambling",  # [A] intermediated product
    "prepaid_topup",  # [A] intermediated product
    "medicine",  # [A] decided: excluded (the cautious choice) until the official list is verified
})

_PAYMENT_BENEFIT_EXCLUDED = frozenset({
    "tobacco", "alcohol", "gambling",  # named in §1.7 [C]
    "car",  # car trade: cars do not qualify, services, accessories and parts do [C]
    "prepaid_topup", "stamps", "gift_card",  # [A] intermediated products, like gambling
    "deposit", "invoiced", "medicine",  # [A] follow the Bonus exclusions
})

_OWN_CHAINS = frozenset({
    "prisma", "s-market", "sale", "alepa", "abc", "sokos", "emotion", "marks-spencer", "herkku",
    "s-rauta", "prisma-rauta", "hotel", "restaurant", "s-kaupat",
})


def default_rules() -> EligibilityRules:
    """The rules this project assumes for the common S-Group system since 1.3.2018."""
    return EligibilityRules(
        version="s-group-2018-03-01",
        effective_from=date(2018, 3, 1),
        bonus_excluded_categories=_BONUS_EXCLUDED,
        payment_benefit_excluded_categories=_PAYMENT_BENEFIT_EXCLUDED,
        payment_benefit_methods=frozenset({"s_etukortti_debit", "s_etukortti_credit"}),
        bonus_voiding_methods=frozenset({"company_card"}),  # company credit cards [C]
        # Gift card [C]; invoice [A] (§1.4 invoiced purchases). Employee benefits stay eligible:
        # only one partner (Oral) is known to exclude them.
        no_bonus_methods=frozenset({"gift_card", "invoice"}),
        fuel_chains=frozenset({"abc"}),
        fuel_category="fuel",
        own_chains=_OWN_CHAINS,
        payment_benefit_requires_bonus_chains=frozenset({"s-rauta"}),  # §1.7 [C]
    )


class InvalidEligibilityRules(ValueError):
    """An operator-supplied rules document names an unknown field, category or payment method."""


def rules_from_dict(document: Mapping[str, Any]) -> EligibilityRules:
    """Build rules from a JSON-shaped mapping; keys not given keep the `default_rules()` value."""
    known = {f.name for f in fields(EligibilityRules)}
    unknown = set(document) - known
    if unknown:
        raise InvalidEligibilityRules(f"unknown rule fields: {sorted(unknown)}")
    overrides: dict[str, Any] = {}
    for name, value in document.items():
        if name == "effective_from":
            overrides[name] = date.fromisoformat(value) if isinstance(value, str) else value
        elif name in ("version", "fuel_category"):
            overrides[name] = str(value)
        else:
            overrides[name] = frozenset(value)
    rules = replace(default_rules(), **overrides)
    check_rules_use_known_values(rules)
    return rules


def rules_to_dict(rules: EligibilityRules) -> dict[str, Any]:
    """The JSON-shaped form of `rules`, accepted back by `rules_from_dict`."""
    document = asdict(rules)
    for name, value in document.items():
        if isinstance(value, frozenset):
            document[name] = sorted(value)
    document["effective_from"] = rules.effective_from.isoformat()
    return document


def check_rules_use_known_values(rules: EligibilityRules) -> None:
    """Reject typos: every category and payment method must be one the receipt contract knows."""
    _check_known(CATEGORIES, "category", (
        rules.bonus_excluded_categories, rules.payment_benefit_excluded_categories,
        {rules.fuel_category},
    ))
    _check_known(PAYMENT_METHODS, "payment method", (
        rules.payment_benefit_methods, rules.bonus_voiding_methods, rules.no_bonus_methods,
    ))


def _check_known(vocabulary: frozenset[str], kind: str, groups: Iterable[Iterable[str]]) -> None:
    unknown = sorted({value for group in groups for value in group} - vocabulary)
    if unknown:
        raise InvalidEligibilityRules(f"unknown {kind}: {unknown}")
