"""What the membership use cases are given: the cooperatives and the keys for personal data.

Identity codes and IBANs are looked up by keyed token (the blind index) and stored encrypted; the clear
value lives only in memory while a message is handled.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from services.membership.domain.cooperatives import Cooperative, load_cooperatives
from services.membership.domain.identity_code import IdentityCode, parse_identity_code
from shared.crypto import FieldCipher
from shared.db import Connection
from shared.pseudonym import keyed_token
from shared.settings import DEFAULT_AGREEMENT_TERMS_VERSION, Settings
from shared.subject_keys import SubjectKeys

SOURCE = "coopreg/membership"


@dataclass(frozen=True)
class MembershipConfig:
    cooperatives: dict[str, Cooperative]
    index_key: str = field(repr=False)
    cipher: FieldCipher = field(repr=False)
    # Seals a benefit account's IBAN for payouts under the person's own key (shared/subject_keys.py).
    subject_keys: SubjectKeys | None = field(default=None, repr=False)
    # The owner-customer agreement's terms in force (COOPREG_MEMBERSHIP_AGREEMENT_TERMS_VERSION).
    agreement_terms_version: str = DEFAULT_AGREEMENT_TERMS_VERSION
    # A report of activity elsewhere about a person not registered yet waits this long for them
    # (COOPREG_MEMBERSHIP_ACTIVITY_WAIT_HOURS); the sweep that applies it runs this often.
    activity_wait: timedelta = timedelta(hours=48)
    activity_sweep_seconds: float = 2.0

    @classmethod
    def from_settings(cls, settings: Settings, cooperatives: dict[str, Cooperative] | None = None):
        secrets = settings.secrets
        cipher = FieldCipher(secrets.encryption_key.get_secret_value())
        return cls(cooperatives if cooperatives is not None else load_cooperatives(),
                   secrets.index_key.get_secret_value(), cipher, SubjectKeys(cipher),
                   settings.membership.agreement_terms_version,
                   timedelta(hours=settings.membership.activity_wait_hours))

    def identity_token(self, code: IdentityCode) -> str:
        return keyed_token("identity", code.value, self.index_key)

    def erasure_marker(self, code: IdentityCode) -> str:
        """What the register keeps to recognise an erased person: a keyed token under a purpose of its own,
        so it is neither the identity code nor the identity-code index, and meets nothing else."""
        return keyed_token("erased-subject", code.value, self.index_key)

    def encrypt_identity_code(self, person_id: str, code: IdentityCode) -> bytes:
        return self.cipher.encrypt(code.value, f"persons.identity_code:{person_id}")

    def identity_code_of(self, person) -> IdentityCode:
        """The person's identity code, decrypted from their row, for a rule that needs the birth date."""
        clear = self.cipher.decrypt(person["identity_code_encrypted"], f"persons.identity_code:{person['person_id']}")
        return parse_identity_code(clear, allow_temporary=True)

    def iban_token(self, iban: str) -> str:
        return keyed_token("iban", iban, self.index_key)

    def encrypt_iban(self, person_id: str, iban: str) -> bytes:
        return self.cipher.encrypt(iban, f"benefit_accounts.iban:{person_id}")

    def benefit_account_ref(self, person_id: str, iban: str, valid_from) -> str:
        """The opaque reference payouts carry: a keyed token under a purpose of its own (never the IBAN's blind
        index), of this person's account from this moment, so a change back to an old IBAN is a new account."""
        return keyed_token("benefit-account", f"{person_id}|{iban}|{valid_from.isoformat()}", self.index_key)[:32]

    async def seal_iban(self, conn: Connection, person_id: str, iban: str) -> bytes:
        if self.subject_keys is None:
            raise RuntimeError("no key store to seal the benefit account with")
        return await self.subject_keys.seal_for(conn, person_id, iban.encode())

    def decrypt_iban(self, person_id: str, blob: bytes) -> str:
        return self.cipher.decrypt(blob, f"benefit_accounts.iban:{person_id}")
