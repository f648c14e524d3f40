"""What the digital use cases are given: the cipher of the contact log's notes."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.crypto import FieldCipher
from shared.settings import Settings


@dataclass(frozen=True)
class DigitalConfig:
    cipher: FieldCipher = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> "DigitalConfig":
        return cls(FieldCipher(settings.secrets.encryption_key.get_secret_value()))

    # The context binds the notes to their contact and person: copied to another row they no longer decrypt.
    def encrypt_notes(self, person_id: str, contact_id: str, notes: str) -> bytes:
        return self.cipher.encrypt(notes, f"contact_log.notes:{person_id}:{contact_id}")

    def decrypt_notes(self, person_id: str, contact_id: str, blob: bytes) -> str:
        return self.cipher.decrypt(blob, f"contact_log.notes:{person_id}:{contact_id}")
