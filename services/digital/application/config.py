"""What the digital use cases are given: the key store that seals the contact log's notes and what customers
enter in the digital services under each person's own key, and the register-wide cipher that the notes were
encrypted with before (migration 004), to open the rows not yet moved."""
from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from services.digital.domain.errors import DigitalRuleViolation
from shared.crypto import FieldCipher
from shared.db import Connection
from shared.settings import Settings
from shared.subject_keys import SubjectKeys, unseal


@dataclass(frozen=True)
class DigitalConfig:
    cipher: FieldCipher = field(repr=False)
    subject_keys: SubjectKeys = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "DigitalConfig":
        cipher = FieldCipher(settings.secrets.encryption_key.get_secret_value())
        return cls(cipher, SubjectKeys(cipher))

    # Notes are personal data customer service wrote about the person: sealed under the person's own key, so
    # that destroying it at erasure leaves every copy unreadable. Sealed with their contact id, checked on
    # opening, so notes copied to another contact of the same person are refused rather than shown there.
    # Raises `SubjectErased` once the person's key was destroyed.
    async def seal_notes(self, conn: Connection, person_id: str, contact_id: str, notes: str) -> bytes:
        return await self.subject_keys.seal_for(conn, person_id, orjson.dumps({"contact": contact_id,
                                                                               "notes": notes}))

    @staticmethod
    def open_notes(key: bytes, person_id: str, contact_id: str, blob: bytes) -> str:
        opened = orjson.loads(unseal(key, person_id, blob))
        if opened["contact"] != contact_id:
            raise DigitalRuleViolation("notes_moved", "sealed notes were found under another contact")
        return str(opened["notes"])

    # Notes written before migration 004, under the register-wide key bound to person and contact; read until
    # the start-up step (application/reseal_notes.py) has moved them under the person's key.
    def open_legacy_notes(self, person_id: str, contact_id: str, blob: bytes) -> str:
        return self.cipher.decrypt(blob, f"contact_log.notes:{person_id}:{contact_id}")

    # An entered value is sealed with its service and field, checked on opening, so a sealed value copied to
    # another field of the same person is refused rather than shown as that field. Raises `SubjectErased` once
    # the person's key was destroyed.
    async def seal_entered(self, conn: Connection, person_id: str, service: str, name: str, value: str) -> bytes:
        data = orjson.dumps({"service": service, "field": name, "value": value})
        return await self.subject_keys.seal_for(conn, person_id, data)

    async def keys(self, conn: Connection, person_id: str) -> dict[str, bytes]:
        return await self.subject_keys.keys_of(conn, [person_id])

    @staticmethod
    def open_entered(key: bytes, person_id: str, service: str, name: str, blob: bytes) -> str:
        opened = orjson.loads(unseal(key, person_id, blob))
        if (opened["service"], opened["field"]) != (service, name):
            raise DigitalRuleViolation("entered_value_moved", "a sealed value was found under another field")
        return str(opened["value"])
