"""Card terms and the time rules built on them: validity of payment cards, the lift deadline of a
temporary block, and the household a payment card needs. Times are aware; months count in Helsinki."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.cards.domain.errors import CardRuleViolation

HELSINKI = ZoneInfo("Europe/Helsinki")


@dataclass(frozen=True)
class CardTerms:
    """Card terms in force when a card is issued or blocked; defaults are the current terms."""

    payment_card_validity_months: int = 36
    temporary_block_lapses_after_months: int = 3


DEFAULT_TERMS = CardTerms()


def check_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CardRuleViolation("time_not_timezone_aware", "card times must be timezone-aware")


def add_months(moment: datetime, months: int) -> datetime:
    """The same Helsinki wall-clock time `months` later, clamped to the end of a shorter month."""
    local = moment.astimezone(HELSINKI)
    year, month_index = divmod(local.month - 1 + months, 12)
    year += local.year
    day = min(local.day, monthrange(year, month_index + 1)[1])
    return local.replace(year=year, month=month_index + 1, day=day)


def payment_card_valid_until(issued_at: datetime, terms: CardTerms = DEFAULT_TERMS) -> datetime:
    """Start of the month after the printed last valid month (issue month + validity), Helsinki time."""
    month_start = issued_at.astimezone(HELSINKI).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return add_months(month_start, terms.payment_card_validity_months + 1)


def check_household_for_card(has_payment_features: bool, household_id: str | None) -> None:
    """Payment features end when the holder is in no household, so a payment card needs one."""
    if has_payment_features and household_id is None:
        raise CardRuleViolation(
            "person_has_no_household", "a payment card is only for a person in a household"
        )
