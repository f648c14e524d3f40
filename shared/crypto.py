"""Encryption of personal fields at rest (identity codes, account numbers): the one place for it.

AES-256-GCM under a key derived (HKDF-SHA256) from the register's encryption key setting, with a fresh
random nonce per value. The stored form is ``version byte | nonce | ciphertext and tag``. The caller's
`context` (e.g. ``persons.identity_code:<person id>``) is authenticated as associated data, so a value
copied to another field or another row no longer decrypts. Lookups never decrypt: they use a keyed token
(`shared.pseudonym.keyed_token`), the blind index.
"""
from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
NONCE_BYTES = 12
KEY_INFO = b"coopreg personal field encryption v1"


class DecryptionFailed(Exception):
    """The value was tampered with, belongs to another context, or was encrypted under another key."""


class FieldCipher:
    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("the encryption key is empty")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_INFO).derive(secret.encode())
        self._aead = AESGCM(key)

    def __repr__(self) -> str:
        return "FieldCipher(***)"

    def encrypt(self, plaintext: str, context: str) -> bytes:
        return self.seal(plaintext.encode(), context)

    def decrypt(self, blob: bytes, context: str) -> str:
        return self.open(blob, context).decode()

    def seal(self, data: bytes, context: str) -> bytes:
        """Encrypt raw bytes (a whole message, say) bound to `context`."""
        nonce = os.urandom(NONCE_BYTES)
        return VERSION + nonce + self._aead.encrypt(nonce, data, context.encode())

    def open(self, blob: bytes, context: str) -> bytes:
        blob = bytes(blob)
        if not blob.startswith(VERSION) or len(blob) <= 1 + NONCE_BYTES:
            raise DecryptionFailed("not a value this cipher wrote")
        nonce, sealed = blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:]
        try:
            return self._aead.decrypt(nonce, sealed, context.encode())
        except InvalidTag:
            raise DecryptionFailed("the value does not decrypt under this key and context") from None
