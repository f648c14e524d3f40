"""The person the proof is about: synthetic identifiers, unique to the run, so that anything the search finds
can only be theirs."""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from coopreg.simulate.receipts import card_number
from services.membership.domain.identity_code import check_character_for

IBAN = "FI2112345600000785"  # the Finnish banks' published example account: shared, so not searched for
SYLLABLES = ("ka", "lo", "mi", "ne", "pu", "ri", "so", "tu", "va", "hy", "jo", "le")


def _identity_code(rng: random.Random) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    part, number = born.strftime("%d%m%y"), f"{rng.randrange(2, 900):03d}"
    return f"{part}{'-' if born.year < 2000 else 'A'}{number}{check_character_for(part, number)}"


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)).capitalize()


@dataclass
class Subject:
    """What the register is told about the person, and what it tells back about them (numbers it gave them:
    `learned`, filled in from the register API before the erasure)."""

    person_id: str
    household_id: str
    membership_id: str
    identity_code: str
    first_names: str
    last_name: str
    email: str
    phone: str
    other_phone: str
    street: str
    card_number: str
    sbank_ref: str
    iban: str
    learned: dict[str, str] = field(default_factory=dict)

    def identifiers(self) -> dict[str, str]:
        """Each identifier the search looks for, by kind. Not the household id: the household is its other
        member's too, and its Bonus months and history stay theirs."""
        return {"person_id": self.person_id, "membership_id": self.membership_id, "identity_code": self.identity_code,
                "last_name": self.last_name, "email": self.email, "phone": self.phone,
                "phone_national": "0" + self.phone.removeprefix("+358"), "other_phone": self.other_phone,
                "street": self.street,
                "card_number": self.card_number, "sbank_ref": self.sbank_ref, "iban": self.iban, **self.learned}


def new_subject(seed: int | None = None) -> Subject:
    rng = random.Random(seed)
    suffix = uuid.uuid4().hex[:12]
    # A last name no other test person has (a made-up word plus a distinct tail), so a hit is never a namesake.
    last_name = f"{_word(rng, 3)}{_word(random.Random(suffix), 3).lower()}"
    return Subject(
        person_id=f"p-prove-{suffix}", household_id=f"h-prove-{suffix}", membership_id=f"m-prove-{suffix}",
        identity_code=_identity_code(rng), first_names=f"{_word(rng, 2)} {_word(rng, 3)}", last_name=last_name,
        email=f"prove.{suffix}@example.fi", phone=f"+35850{rng.randrange(10**6, 10**7)}",
        other_phone=f"+35845{rng.randrange(10**6, 10**7)}",
        street=f"Todistajankatu {rng.randrange(1, 200)} B {uuid.uuid4().int % 10**4}",
        card_number=card_number(uuid.uuid4().int % 10**11), sbank_ref=f"SB-{suffix}",
        # a valid Finnish IBAN of its own (check digits computed), so a hit on it is this person's
        iban=_iban(f"{rng.randrange(10**13, 10**14)}"))


def _iban(bban: str, country: str = "FI") -> str:
    digits = "".join(str(int(c, 36)) for c in f"{bban}{country}00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"
