"""Membership test data: valid identity codes of made-up people, unique ids, and commands with defaults."""
from __future__ import annotations

import random
import uuid
from datetime import date, datetime, timedelta, timezone

from contracts.events.fields import PersonName
from contracts.events.membership import (
    AddressInput,
    BenefitAccountInput,
    JoinCooperative,
    MembershipCommand,
    RegisterCustomer,
)
from services.membership.domain.identity_code import check_character_for

T0 = datetime(2030, 3, 10, 12, 0, tzinfo=timezone.utc)
IBAN = "FI2112345600000785"  # the Finnish banks' published example account


_ISSUED: set[str] = set()


def identity_code(born: date | None = None) -> str:
    """A valid identity code (a permanent individual number) of someone born on `born` (default: an adult),
    never one issued before in this test session: a fixture registering a person born on a fixed day drew
    from 898 numbers, and its tenth person could be refused as registered already."""
    born = born or date(1950, 1, 1) + timedelta(days=random.randrange(50 * 365))
    sign = "-" if born.year < 2000 else "A"
    date_part = born.strftime("%d%m%y")
    while True:
        number = f"{random.randrange(2, 900):03d}"
        code = f"{date_part}{sign}{number}{check_character_for(date_part, number)}"
        if code not in _ISSUED:
            _ISSUED.add(code)
            return code


def minor_code(on: datetime = T0) -> str:
    return identity_code(on.date() - timedelta(days=365 * 8 + random.randrange(300)))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def register(person_id: str | None = None, code: str | None = None, **changes) -> RegisterCustomer:
    fields = dict(person_id=person_id or unique("p"), identity_code=code or identity_code(),
                  name=PersonName(first_names="Maija Liisa", last_name="Meikäläinen"),
                  address=AddressInput(street="Mannerheimintie 1 A 2", postal_code="00100", city="Helsinki"),
                  mobile_phone="040 123 4567", email="maija@example.fi", registered_at=T0)
    return RegisterCustomer(**{**fields, **changes})


def join(person_id: str, cooperative: str = "hok-elanto", cents: int = 2000, at: datetime = T0,
         **changes) -> JoinCooperative:
    fields = dict(person_id=person_id, cooperative_id=cooperative, membership_id=unique("m"),
                  household_id=unique("h"), first_payment_id=unique("pay"), first_payment_cents=cents,
                  benefit_account=BenefitAccountInput(iban=IBAN), joining_outlet="P001", joined_at=at)
    return JoinCooperative(**{**fields, **changes})


def command(data) -> MembershipCommand:
    return MembershipCommand(data)
