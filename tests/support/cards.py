"""Card commands and identifiers for tests: unique per call, so tests never share a card or a person."""
from __future__ import annotations

import uuid
from datetime import datetime

from contracts.events.cards import IssueCard
from coopreg.simulate.receipts import card_number
from shared.pseudonym import identifier_namespace, keyed_token


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def fresh_number() -> str:
    """A Luhn-valid card number no other test uses."""
    return card_number(uuid.uuid4().int % 10**11)


def fresh_member_number() -> str:
    return f"{uuid.uuid4().int % 10**10:010d}"


def with_bad_check_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def token(number: str, index_key: str, kind: str = "card") -> str:
    return keyed_token(identifier_namespace(kind), number, index_key)


def issue_card(number: str, person: str, household: str | None, at: datetime, card_type: str = "visa_debit",
               cooperative: str = "hok-elanto") -> IssueCard:
    return IssueCard(card_number=number, card_type=card_type, person_id=person, household_id=household,
                     cooperative_id=cooperative, membership_id=f"m-{household}", valid_from=at)
