"""Finnish personal identity code (henkilötunnus, HETU): `DDMMYY C NNN Q`.

`DDMMYY` is the birth date, `C` the century sign (the 2023 reform added Y X W V U for the 1900s and
B C D E F for the 2000s; since then the sign is significant), `NNN` the individual number (odd for
men, even for women) and `Q` the check character: the nine digits DDMMYYNNN as one integer mod 31,
looked up in CHECK_CHARACTERS.
"""

from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from services.membership.domain.errors import InvalidIdentityCode

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_BY_SIGN: dict[str, int] = {
    "+": 1800,
    **dict.fromkeys("-YXWVU", 1900),
    **dict.fromkeys("ABCDEF", 2000),
}
LOWEST_INDIVIDUAL_NUMBER = 2
HIGHEST_PERMANENT_INDIVIDUAL_NUMBER = 899
CODE_LENGTH = 11


class Gender(str, Enum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True)
class IdentityCode:
    """A validated identity code. `repr` and `str` are masked so it cannot leak into logs."""

    value: str = field(repr=False)
    birth_date: date = field(repr=False)
    individual_number: int = field(repr=False)

    @property
    def gender(self) -> Gender:
        return Gender.MALE if self.individual_number % 2 else Gender.FEMALE

    @property
    def is_temporary(self) -> bool:
        return self.individual_number > HIGHEST_PERMANENT_INDIVIDUAL_NUMBER

    def __str__(self) -> str:
        return "IdentityCode(***)"

    def __repr__(self) -> str:
        return "IdentityCode(***)"


def check_character_for(date_part: str, individual_number: str) -> str:
    """The check character of `DDMMYY` + `NNN`."""
    return CHECK_CHARACTERS[int(date_part + individual_number) % len(CHECK_CHARACTERS)]


def parse_identity_code(text: str, *, allow_temporary: bool = False) -> IdentityCode:
    """Validate and parse a code; temporary individual numbers (900-999) only if allowed."""
    value = text.strip().upper()
    _check_shape(value)
    date_part, sign, number, check = value[:6], value[6], value[7:10], value[10]
    birth_date = _birth_date(date_part, sign)
    _check_individual_number(int(number), allow_temporary)
    if check_character_for(date_part, number) != check:
        raise InvalidIdentityCode("check_character")
    return IdentityCode(value=value, birth_date=birth_date, individual_number=int(number))


def is_valid_identity_code(text: str, *, allow_temporary: bool = False) -> bool:
    try:
        parse_identity_code(text, allow_temporary=allow_temporary)
    except InvalidIdentityCode:
        return False
    return True


def _check_shape(value: str) -> None:
    if len(value) != CODE_LENGTH:
        raise InvalidIdentityCode("length")
    if not (value[:6].isascii() and value[:6].isdigit()):
        raise InvalidIdentityCode("date")
    if not (value[7:10].isascii() and value[7:10].isdigit()):
        raise InvalidIdentityCode("individual_number")
    if value[10] not in CHECK_CHARACTERS:
        raise InvalidIdentityCode("check_character")


def _birth_date(date_part: str, sign: str) -> date:
    century = CENTURY_BY_SIGN.get(sign)
    if century is None:
        raise InvalidIdentityCode("century_sign")
    day, month, year = int(date_part[:2]), int(date_part[2:4]), int(date_part[4:6])
    try:
        return date(century + year, month, day)
    except ValueError:
        raise InvalidIdentityCode("date") from None


def _check_individual_number(number: int, allow_temporary: bool) -> None:
    if number < LOWEST_INDIVIDUAL_NUMBER:
        raise InvalidIdentityCode("individual_number")
    if number > HIGHEST_PERMANENT_INDIVIDUAL_NUMBER and not allow_temporary:
        raise InvalidIdentityCode("temporary_individual_number")
