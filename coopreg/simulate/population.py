"""A simulated population: households of one to four members, each member with an S-Etukortti."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timezone

from contracts.events.cards import AllocationPeriod, CardState, IssuedCardType
from contracts.events.membership_states import BenefitAccountRef, HouseholdMember, HouseholdState
from coopreg.simulate.receipts import card_number
from shared.pseudonym import keyed_token

COOPERATIVES = ("hok-elanto", "pirkanmaan", "turun", "keskimaa", "arina", "kpo", "koillismaa", "peeassa",
                "hameenmaa", "satakunnan", "pko", "suur-savo", "kso", "maakunta", "keula", "sso",
                "etela-karjalan", "etela-pohjanmaan", "varuboden-osla")
# Rough member shares: the largest cooperatives carry most households.
WEIGHTS = (27, 10, 8, 7, 6, 4, 1, 5, 5, 4, 3, 3, 3, 2, 2, 2, 3, 4, 1)
CARD_TYPES: tuple[IssuedCardType, ...] = ("cash_card", "visa_debit", "visa_credit_debit")

ISSUED = datetime(2020, 1, 1, tzinfo=timezone.utc)  # simulated cards were issued long before the month


@dataclass(frozen=True)
class Member:
    person_id: str
    card: str
    card_type: IssuedCardType


@dataclass(frozen=True)
class Household:
    household_id: str
    cooperative_id: str
    members: tuple[Member, ...]
    monthly_spend_cents: int


def population(households: int, run: str, seed: int = 7, first_card: int = 0) -> list[Household]:
    rng = random.Random(seed)
    result, next_card = [], first_card
    for h in range(households):
        size = rng.choices((1, 2, 3, 4), weights=(35, 35, 15, 15))[0]
        members = []
        for m in range(size):
            card_type = rng.choices(CARD_TYPES, weights=(50, 35, 15))[0]
            members.append(Member(f"{run}-p{h}-{m}", card_number(next_card), card_type))
            next_card += 1
        spend = int(rng.lognormvariate(10.4, 0.75))  # median about 330 €, a long tail past 900 €
        result.append(Household(f"{run}-h{h}", rng.choices(COOPERATIVES, weights=WEIGHTS)[0], tuple(members),
                                min(spend, 400000)))
    return result


def card_states(household: Household, index_key: str, issued: datetime = ISSUED) -> list[CardState]:
    """Each member's card as the cards service publishes it: active, in the household since `issued`."""
    return [CardState(card_token=keyed_token("card", member.card, index_key), last_four=member.card[-4:],
                      card_type=member.card_type, status="active",
                      history=[AllocationPeriod(person_id=member.person_id, household_id=household.household_id,
                                                cooperative_id=household.cooperative_id, valid_from=issued)])
            for member in household.members]


def household_state(household: Household, issued: datetime = ISSUED) -> HouseholdState:
    """The household as the membership service publishes it: active since `issued`, its first member the main
    member, with a benefit account on record (a synthetic sealed IBAN: simulations open nothing), so its
    payouts are sent rather than held."""
    main = household.members[0].person_id
    return HouseholdState(
        household_id=household.household_id, version=1, status="active", main_member_person_id=main,
        membership_id=f"m-{household.household_id}", cooperative_id=household.cooperative_id,
        cooperative_from=issued, member_number=f"9{abs(hash(household.household_id)) % 10**8:08d}",
        membership_status="active", open_contribution_cents=0, contribution_deadline=issued.date(),
        founded_at=issued,
        members=[HouseholdMember(person_id=m.person_id, role="main_member" if i == 0 else "member",
                                 joined_by="founded" if i == 0 else "accepted_invitation", joined_at=issued)
                 for i, m in enumerate(household.members)],
        benefit_account=BenefitAccountRef(account_ref=f"acct-{household.household_id}", account_type="current_account",
                                          last_four="0123", valid_from=issued, sealed_for=main, iban_sealed="A" * 64))
