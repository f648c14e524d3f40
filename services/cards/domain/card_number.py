"""Card numbers: Luhn check digit, masking and the keyed token that is stored instead of the number.

The S-Etukortti number format itself is not documented; the only rules applied here are the general
ones for payment-card numbers (digits only, 12–19 long, Luhn check digit valid).
"""

import hashlib
import hmac

from services.cards.domain.errors import CardRuleViolation

MIN_LENGTH = 12
MAX_LENGTH = 19
MIN_TOKEN_KEY_BYTES = 32


def _is_ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def luhn_check_digit(payload: str) -> str:
    """The Luhn check digit to append to `payload` (digits without the check digit)."""
    if not _is_ascii_digits(payload):
        raise CardRuleViolation("invalid_card_number", "a card number has digits only")
    total = 0
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:  # doubled once the check digit is appended to the right
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def is_luhn_valid(digits: str) -> bool:
    """True when the last digit of `digits` is the Luhn check digit of the rest."""
    if len(digits) < 2 or not _is_ascii_digits(digits):
        return False
    return luhn_check_digit(digits[:-1]) == digits[-1]


def check_card_number(digits: str) -> None:
    """Raise `invalid_card_number` unless `digits` is a well-formed card number."""
    if not _is_ascii_digits(digits):
        raise CardRuleViolation("invalid_card_number", "a card number has digits only")
    if not MIN_LENGTH <= len(digits) <= MAX_LENGTH:
        raise CardRuleViolation(
            "invalid_card_number", f"a card number has {MIN_LENGTH} to {MAX_LENGTH} digits"
        )
    if not is_luhn_valid(digits):
        raise CardRuleViolation("invalid_card_number", "the card number check digit does not match")


def last_four(digits: str) -> str:
    """The last four digits, the only part of a number that may be shown or stored in clear."""
    check_card_number(digits)
    return digits[-4:]


def card_token(digits: str, key: bytes) -> str:
    """The keyed token (HMAC-SHA256, hex) under which a card number is stored and looked up.

    The number itself is never stored. Without the key a token cannot be matched by trying all
    numbers, which a plain hash of a short Luhn-valid number would allow.
    """
    if len(key) < MIN_TOKEN_KEY_BYTES:
        raise ValueError(f"the card token key must be at least {MIN_TOKEN_KEY_BYTES} bytes")
    if not _is_ascii_digits(digits):
        raise CardRuleViolation("invalid_card_number", "a card number has digits only")
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()
