"""The S-code: the user name a customer logs in with (often an e-mail address).

User names compare without case and surrounding spaces, so two spellings of one name are one S-code.
"""

from services.cards.domain.errors import CardRuleViolation

MIN_LENGTH = 3
MAX_LENGTH = 254


def s_code_key(s_code: str) -> str:
    """The form an S-code is compared and tokenised in; `invalid_s_code` unless it is one word."""
    key = s_code.strip().casefold()
    if not MIN_LENGTH <= len(key) <= MAX_LENGTH or any(char.isspace() for char in key):
        raise CardRuleViolation("invalid_s_code", f"an S-code is {MIN_LENGTH} to {MAX_LENGTH} characters, no spaces")
    return key
