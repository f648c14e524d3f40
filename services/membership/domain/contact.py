"""Contact data values: benefit payment account (IBAN), phone, email and postal address.

Each normaliser returns the canonical form or raises a specific violation whose `reason` names the
failed part; the rejected text is never echoed.
"""

import re
from dataclasses import dataclass

from services.membership.domain.errors import InvalidAddress, InvalidEmail, InvalidIban, InvalidPhone

# ISO 13616 lengths of the EU/EEA countries plus Switzerland, the UK and the microstates using the euro.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
    "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22,
    "IS": 26, "IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18,
    "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "VA": 22,
}
FINLAND_CALLING_CODE = "358"
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 8, 15
EMAIL_MAX_LENGTH, EMAIL_LOCAL_MAX_LENGTH = 254, 64
POSTAL_CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "FI": re.compile(r"[0-9]{5}"),
    "AX": re.compile(r"[0-9]{5}"),
}
OTHER_POSTAL_CODE = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,9}")
_PHONE_SEPARATORS = re.compile(r"[\s().-]")
_DOMAIN_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def normalise_iban(text: str) -> str:
    """Electronic form (no spaces, upper case) of a valid IBAN."""
    iban = "".join(text.split()).upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+", iban):
        raise InvalidIban("format")
    expected_length = IBAN_LENGTHS.get(iban[:2])
    if expected_length is None:
        raise InvalidIban("unsupported_country")
    if len(iban) != expected_length:
        raise InvalidIban("length")
    if _iban_remainder(iban) != 1:
        raise InvalidIban("check_digits")
    return iban


def format_iban(iban: str) -> str:
    """Print form: groups of four characters."""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def _iban_remainder(iban: str) -> int:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97


def normalise_phone(text: str, *, default_calling_code: str = FINLAND_CALLING_CODE) -> str:
    """E.164 form (`+` and 8-15 digits); national numbers (leading 0) get the default calling code."""
    compact = _PHONE_SEPARATORS.sub("", text.replace("(0)", ""))
    if compact.startswith("+"):
        digits = compact[1:]
    elif compact.startswith("00"):
        digits = compact[2:]
    elif compact.startswith("0"):
        digits = default_calling_code + compact[1:]
    else:
        raise InvalidPhone("prefix")
    if not (digits.isascii() and digits.isdigit()) or digits.startswith("0"):
        raise InvalidPhone("characters")
    if not PHONE_DIGITS_MIN <= len(digits) <= PHONE_DIGITS_MAX:
        raise InvalidPhone("length")
    return "+" + digits


def normalise_email(text: str) -> str:
    """Pragmatic check: one @, no spaces, a dotted domain; the domain is lower-cased."""
    email = text.strip()
    if not email or len(email) > EMAIL_MAX_LENGTH:
        raise InvalidEmail("length")
    if any(char.isspace() for char in email):
        raise InvalidEmail("whitespace")
    if email.count("@") != 1:
        raise InvalidEmail("at_sign")
    local, domain = email.split("@")
    if not local or len(local) > EMAIL_LOCAL_MAX_LENGTH:
        raise InvalidEmail("local_part")
    domain = domain.lower()
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels):
        raise InvalidEmail("domain")
    return f"{local}@{domain}"


@dataclass(frozen=True)
class PostalAddress:
    """A postal address; `repr` is masked because an address identifies a person."""

    street: str
    postal_code: str
    city: str
    country_code: str = "FI"

    def __repr__(self) -> str:
        return f"PostalAddress(country_code={self.country_code!r}, ***)"


def postal_address(street: str, postal_code: str, city: str, country_code: str = "FI") -> PostalAddress:
    """A validated address; Finnish (and Åland) postal codes are five digits."""
    country = country_code.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise InvalidAddress("country_code")
    street, city, code = street.strip(), city.strip(), postal_code.strip().upper()
    if not street:
        raise InvalidAddress("street")
    pattern = POSTAL_CODE_PATTERNS.get(country, OTHER_POSTAL_CODE)
    if not pattern.fullmatch(code):
        raise InvalidAddress("postal_code")
    if not city:
        raise InvalidAddress("city")
    return PostalAddress(street=street, postal_code=code, city=city, country_code=country)
