"""Per-person keys for personal data in events: crypto-shredding.

An event about a person can be *sealed*: its value encrypted (AES-256-GCM) under a data key of that
person, with the header ``coopreg-sealed-for: <person id>`` naming whose key. The consumers' delivery
pipeline opens it before decoding (`shared.delivery`), so handlers see the plain payload. Erasing the
person destroys the key: every sealed message about them — in the topic, in its retained history and in
its dead letters — can no longer be read by anyone, without rewriting a single Kafka log.

The keys live in the schema ``subject_keys``, reached only through this module; it plays the part a key
management service (e.g. Vault transit keys) plays in production. Each data key is stored wrapped (AES-GCM
under the register's encryption key, bound to the person id); an erased person keeps a row without a key,
so nothing seals new data for them by mistake.
"""
from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shared.crypto import FieldCipher
from shared.db import Connection

HEADER = "coopreg-sealed-for"
VERSION = b"\x01"
NONCE_BYTES = 12
KEY_STORE_SCHEMA = "subject_keys"
# Run by provisioning (coopreg/provision.py) as the store's owner, a role nobody logs in as.
KEY_STORE_DDL = """
CREATE TABLE IF NOT EXISTS subject_keys.keys (
    subject     text        PRIMARY KEY,
    wrapped_key bytea,
    created_at  timestamptz NOT NULL DEFAULT now(),
    erased_at   timestamptz,
    CHECK ((wrapped_key IS NULL) = (erased_at IS NOT NULL))
);
"""


class SubjectErased(Exception):
    """The person's key was destroyed: what was sealed for them cannot be read, nor anything new sealed."""


def sealed_for(headers) -> str | None:
    """The person a record's value is sealed for, from its headers; None for a plain record."""
    for name, value in headers or ():
        if name == HEADER and value:
            return value.decode("utf-8", "replace")
    return None


def seal(key: bytes, subject: str, data: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, data, f"subject:{subject}".encode())


def unseal(key: bytes, subject: str, blob: bytes) -> bytes:
    blob = bytes(blob)
    if not blob.startswith(VERSION) or len(blob) <= 1 + NONCE_BYTES:
        raise SubjectErased("not a value sealed for this subject")
    try:
        return AESGCM(key).decrypt(blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:], f"subject:{subject}".encode())
    except InvalidTag:
        raise SubjectErased("the value does not open under the subject's key") from None


class SubjectKeys:
    """The key store. Every method takes the caller's connection (or pool), so a key is created in the same
    transaction as the outbox row it seals."""

    def __init__(self, cipher: FieldCipher) -> None:
        self._cipher = cipher

    def __repr__(self) -> str:
        return "SubjectKeys(***)"

    @staticmethod
    async def ensure_schema(conn) -> None:
        """Check the key store is there. Provisioning creates it (coopreg/provision.py, KEY_STORE_DDL), owned by
        a role nobody logs in as: the services may read keys, only the register API create and destroy them."""
        if await conn.fetchval("SELECT to_regclass('subject_keys.keys')") is None:
            raise RuntimeError("the key store subject_keys.keys does not exist (or this role may not see it): "
                               "provision the database first")

    async def key_for(self, conn: Connection, subject: str) -> bytes:
        """The person's key, created on first use; `SubjectErased` once it was destroyed."""
        fresh = os.urandom(32)
        await conn.execute(
            "INSERT INTO subject_keys.keys (subject, wrapped_key) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            subject, self._cipher.seal(fresh, f"subject_key:{subject}"))
        wrapped = await conn.fetchval("SELECT wrapped_key FROM subject_keys.keys WHERE subject = $1", subject)
        if wrapped is None:  # the row exists (inserted above); a null key is a destroyed one
            raise SubjectErased(subject)
        return self._cipher.open(wrapped, f"subject_key:{subject}")

    async def keys_of(self, conn, subjects: list[str]) -> dict[str, bytes]:
        """The keys that exist of these persons (an erased or unknown person has none)."""
        rows = await conn.fetch("SELECT subject, wrapped_key FROM subject_keys.keys WHERE subject = ANY($1::text[])"
                                " AND wrapped_key IS NOT NULL", subjects)
        return {r["subject"]: self._cipher.open(r["wrapped_key"], f"subject_key:{r['subject']}") for r in rows}

    async def seal_for(self, conn: Connection, subject: str, data: bytes) -> bytes:
        return seal(await self.key_for(conn, subject), subject, data)

    async def erase(self, conn, subject: str) -> bool:
        """Destroy the person's key (idempotent); True when a key was destroyed now."""
        status = await conn.execute(
            "INSERT INTO subject_keys.keys AS k (subject, wrapped_key, erased_at) VALUES ($1, NULL, now())"
            " ON CONFLICT (subject) DO UPDATE SET wrapped_key = NULL, erased_at = now()"
            " WHERE k.wrapped_key IS NOT NULL", subject)
        return status.endswith(" 1")

    async def open_records(self, conn, records) -> dict[int, bytes | SubjectErased]:
        """The opened value of each sealed record, by `id(record)`; `SubjectErased` where it cannot be opened."""
        sealed = {id(r): (r, subject) for r in records
                  if r.value is not None and (subject := sealed_for(r.headers))}
        if not sealed:
            return {}
        keys = await self.keys_of(conn, sorted({subject for _, subject in sealed.values()}))
        opened: dict[int, bytes | SubjectErased] = {}
        for rid, (record, subject) in sealed.items():
            try:
                if subject not in keys:
                    raise SubjectErased("no key for this subject")
                opened[rid] = unseal(keys[subject], subject, record.value)
            except SubjectErased as error:
                opened[rid] = error
        return opened
