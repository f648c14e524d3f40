"""The customer code (asiakaskoodi): a personal 4-digit code used with the card at S-Etukortti terminals.

Only a salted scrypt hash is stored, as "scrypt$<salt>$<hash>" (URL-safe base64). With 10 000 possible
codes no hash makes a leaked value safe on its own; the salt and the slow hash only stop precomputed
tables and make each guess cost. Attempt limits belong to the service that verifies.
"""

import base64
import hashlib
import hmac
import secrets

from services.cards.domain.errors import CardRuleViolation

CODE_LENGTH = 4
SCHEME = "scrypt"
SALT_BYTES = 16
HASH_BYTES = 32
# scrypt cost: 2**14 iterations, block size 8, no parallelism (about 16 MiB and tens of ms a hash).
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1


def check_customer_code(code: str) -> None:
    """Raise `invalid_customer_code` unless `code` is exactly four ASCII digits."""
    if len(code) != CODE_LENGTH or not (code.isascii() and code.isdigit()):
        raise CardRuleViolation(
            "invalid_customer_code", f"a customer code is exactly {CODE_LENGTH} digits"
        )


def _scrypt(code: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        code.encode("ascii"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=HASH_BYTES
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii")


def hash_customer_code(code: str, salt: bytes | None = None) -> str:
    """The storable form of a valid customer code, with a fresh random salt unless one is given."""
    check_customer_code(code)
    salt = secrets.token_bytes(SALT_BYTES) if salt is None else salt
    if len(salt) != SALT_BYTES:
        raise ValueError(f"the salt must be {SALT_BYTES} bytes")
    return f"{SCHEME}${_b64(salt)}${_b64(_scrypt(code, salt))}"


def _parse(stored: str) -> tuple[bytes, bytes]:
    scheme, salt, digest = stored.split("$") if stored.count("$") == 2 else ("", "", "")
    if scheme != SCHEME:
        raise ValueError("not a stored customer code hash")
    return base64.urlsafe_b64decode(salt), base64.urlsafe_b64decode(digest)


def verify_customer_code(code: str, stored: str) -> bool:
    """True when `code` matches the stored hash; compared in constant time."""
    salt, expected = _parse(stored)
    try:
        check_customer_code(code)
    except CardRuleViolation:
        return False
    return hmac.compare_digest(_scrypt(code, salt), expected)
