"""A month of POS traffic for a population: receipts spread over the month, realistic baskets."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Callable, Iterator

from contracts.events.pos import PaymentMethod, PosPurchase
from coopreg.simulate.population import Household
from coopreg.simulate.receipts import pos_purchase
from services.bonus.domain.months import HELSINKI, next_month

CHAINS = (("prisma", 30), ("s-market", 35), ("alepa", 15), ("sale", 8), ("abc", 10), ("sokos", 2))
PAYMENTS: tuple[tuple[PaymentMethod, int], ...] = (
    ("s_etukortti_debit", 35), ("s_etukortti_credit", 10), ("other_card", 35), ("cash", 15), ("gift_card", 2),
    ("mobile_pay", 3))


def _basket(rng: random.Random, chain: str, cents: int) -> list[tuple]:
    if chain == "abc" and rng.random() < 0.7:
        litres_milli = max(5000, cents * 1000 // 185)  # about 1.85 €/l
        return [("fuel", cents, litres_milli)]
    lines, left = [], cents
    while left > 0:
        part = min(left, rng.randint(150, 2500))
        category = rng.choices(("grocery", "general", "alcohol", "tobacco", "deposit"), weights=(80, 10, 5, 2, 3))[0]
        lines.append((category, part))
        left -= part
    return lines


def _moment(rng: random.Random, month: date) -> datetime:
    days = (next_month(month) - month).days
    local = datetime(month.year, month.month, 1, tzinfo=HELSINKI) + timedelta(
        days=rng.randrange(days), hours=rng.randint(7, 21), minutes=rng.randrange(60), seconds=rng.randrange(60))
    return local


def household_receipt(rng: random.Random, household: Household, receipt_id: str, cents: int,
                      when: Callable[[random.Random], datetime]) -> PosPurchase:
    """One receipt of a household member: chain, payment, outlet and basket drawn from `rng`, at `when(rng)`."""
    member = rng.choice(household.members)
    chain = rng.choices([c for c, _ in CHAINS], weights=[w for _, w in CHAINS])[0]
    payment = rng.choices([p for p, _ in PAYMENTS], weights=[w for _, w in PAYMENTS])[0]
    if payment.startswith("s_etukortti") and member.card_type == "cash_card":
        payment = "other_card"
    return pos_purchase(receipt_id, member.card, when(rng), _basket(rng, chain, cents), payment=payment,
                        chain=chain, cooperative=household.cooperative_id, outlet=f"{chain}-{rng.randint(1, 200):03d}")


def month_of_receipts(households: list[Household], month: date, run: str, seed: int = 11) -> Iterator[PosPurchase]:
    rng = random.Random(seed)
    for household in households:
        left, n = household.monthly_spend_cents, 0
        while left > 0:
            cents = min(left, rng.randint(800, 12000))
            yield household_receipt(rng, household, f"{run}-{household.household_id}-{n}", cents,
                                    lambda r: _moment(r, month))
            left -= cents
            n += 1
