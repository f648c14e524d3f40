"""Rectification (seed §11): which of a person's fields may be corrected, by whom, and how a correction is
checked before anything is written.

Who may correct what follows where the data come from (seed §6):

- names (and the identity code, birth date and gender it carries) come only from the population register:
  neither the customer nor staff correct them here — the population register's update does;
- staff data and the staff-discount right come from the HR register Hertta: the customer cannot correct them;
  the register keeper's staff may, on the employer's word, until Hertta's next update supersedes them;
- the children living at home, the joining outlet, contact data, language, the marketing prohibition and the
  benefit account are the customer's to correct, themselves or through staff.
"""
from __future__ import annotations

from datetime import datetime

from services.membership.domain.errors import (
    InvalidChildrenBirthYears,
    NameFromPopulationRegister,
    NothingToRectify,
    StaffDataFromHrRegister,
)
from services.membership.domain.numbers import helsinki_date


def check_rectification(*, changed_by: str, name_given: bool, children_birth_years: list[int] | None,
                        joining_outlet_given: bool, staff_employment_given: bool, rectified_at: datetime) -> None:
    """Raise the violation of a correction the register does not take; return when it may be applied."""
    if name_given:
        raise NameFromPopulationRegister()
    if staff_employment_given and changed_by == "customer":
        raise StaffDataFromHrRegister()
    if children_birth_years is None and not joining_outlet_given and not staff_employment_given:
        raise NothingToRectify()
    if children_birth_years is not None:
        children_years(children_birth_years, rectified_at)


def children_years(years: list[int], at: datetime) -> list[int]:
    """The birth years of the children living at home, sorted; none may lie after the year of `at`."""
    if any(year > helsinki_date(at).year for year in years):
        raise InvalidChildrenBirthYears()
    return sorted(years)
