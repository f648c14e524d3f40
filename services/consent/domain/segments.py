"""Who is in a marketing segment, and with which attributes: a pure decision per person and segment.

`segment_entry` answers for one person: None (not in the segment) or the attributes the segment may
carry. A person is in it only when
- `OnlyAllowedPeopleAreInSegments`: they are alive, not erased, known to the register with a cooperative,
  at least 15, without a marketing prohibition for a marketing-like purpose, with the channel's permission
  where the purpose needs one, and without any block that stops the purpose on the channel;
- `ProductDataOnlyWhereTheHouseholdAllows`: a segment built from product-level purchase data takes
  nobody whose household blocks that use (or the collection);
- they meet the criteria, over data allowed for marketing: cooperative, home municipality, age band,
  language, customer kind, the household's latest Bonus %, main member.

Attributes: language and cooperative always (the topic's contract), the others only when the definition
names them. `AddressProtectionHidesTheMunicipality`: under address protection the home municipality is
neither carried nor used as a criterion.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from services.consent.domain.consent import EffectiveConsent
from services.consent.domain.purposes import MINIMUM_AGE, PURPOSES, blocks_for, permission_needed

AGE_BANDS = ((15, 17, "15-17"), (18, 24, "18-24"), (25, 34, "25-34"), (35, 44, "35-44"), (45, 54, "45-54"),
             (55, 64, "55-64"), (65, 74, "65-74"), (75, 200, "75+"))


@dataclass(frozen=True)
class Criteria:
    cooperatives: frozenset[str] = frozenset()
    municipalities: frozenset[str] = frozenset()
    age_bands: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    customer_kinds: frozenset[str] = frozenset()
    min_bonus_tier_bp: int | None = None
    max_bonus_tier_bp: int | None = None
    main_members_only: bool = False


@dataclass(frozen=True)
class SegmentDefinition:
    name: str
    purpose: str
    channel: str
    criteria: Criteria = field(default_factory=Criteria)
    attributes: tuple[str, ...] = ()
    uses_product_data: bool = False
    recipient: str = "sok-marketing"  # who the segment is delivered to (contracts/recipients.json)


@dataclass(frozen=True)
class PersonFacts:
    """What the register knows of a person that a segment may use (from the membership and bonus events)."""

    person_id: str
    known: bool = True
    erased: bool = False
    cooperative_id: str | None = None
    language: str = "fi"
    customer_kind: str = "other_customer"
    address_protection: bool | None = None
    home_municipality: str | None = None
    birth_year: int | None = None
    main_member: bool = False
    bonus_tier_bp: int | None = None

    @property
    def municipality(self) -> str | None:
        """The home municipality where it may be used: never under (or without word on) address protection."""
        return self.home_municipality if self.address_protection is False else None


def age_in(birth_year: int | None, today: date) -> int | None:
    """The age reached this calendar year (the register passes on the birth year, not the date)."""
    return None if birth_year is None else today.year - birth_year


def age_band(birth_year: int | None, today: date) -> str | None:
    age = age_in(birth_year, today)
    return next((band for low, high, band in AGE_BANDS if age is not None and low <= age <= high), None)


def allowed(definition: SegmentDefinition, person: PersonFacts, consent: EffectiveConsent, today: date) -> bool:
    """`OnlyAllowedPeopleAreInSegments` and `ProductDataOnlyWhereTheHouseholdAllows`."""
    rule = PURPOSES[definition.purpose]
    age = age_in(person.birth_year, today)
    if not person.known or person.erased or consent.deceased or person.cooperative_id is None:
        return False
    if age is not None and age < MINIMUM_AGE:
        return False
    if rule.marketing_like and consent.marketing_prohibited:
        return False
    needed = permission_needed(definition.purpose, definition.channel)
    if needed is not None and not consent.permitted(needed):
        return False
    if any(consent.blocked(block) for block in blocks_for(definition.purpose, definition.channel)):
        return False
    return not (definition.uses_product_data and consent.blocked(rule.product_data_block))


def _listed(values: frozenset[str], value: str | None) -> bool:
    return not values or value in values


def meets_criteria(criteria: Criteria, person: PersonFacts, today: date) -> bool:
    tier = person.bonus_tier_bp
    if criteria.min_bonus_tier_bp is not None and (tier is None or tier < criteria.min_bonus_tier_bp):
        return False
    if criteria.max_bonus_tier_bp is not None and (tier is None or tier > criteria.max_bonus_tier_bp):
        return False
    return (_listed(criteria.cooperatives, person.cooperative_id)
            and _listed(criteria.municipalities, person.municipality)
            and _listed(criteria.age_bands, age_band(person.birth_year, today))
            and _listed(criteria.languages, person.language)
            and _listed(criteria.customer_kinds, person.customer_kind)
            and (person.main_member or not criteria.main_members_only))


def segment_entry(definition: SegmentDefinition, person: PersonFacts, consent: EffectiveConsent,
                  today: date) -> dict[str, Any] | None:
    """The person's attributes in the segment, or None when they must not be in it."""
    if not (allowed(definition, person, consent, today) and meets_criteria(definition.criteria, person, today)):
        return None
    optional = {"municipality": person.municipality, "age_band": age_band(person.birth_year, today),
                "bonus_tier_bp": person.bonus_tier_bp}
    entry: dict[str, Any] = {"purpose": definition.purpose, "channel": definition.channel, "language": person.language,
             "cooperative_id": person.cooperative_id}
    entry.update({name: optional[name] for name in definition.attributes if optional[name] is not None})
    return entry


def segment_change(published: dict[str, Any] | None, wanted: dict[str, Any] | None) -> str | None:
    """What to send for a person: `put` (new or changed attributes), `tombstone` (left) or nothing."""
    if wanted is None:
        return "tombstone" if published is not None else None
    return "put" if wanted != published else None
