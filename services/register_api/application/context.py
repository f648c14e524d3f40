"""What the register API's use cases are given: a pool per service schema, keys, rules and a clock.

The API reads each service's part of a person through that service's own application-layer read
functions, each against the service's own schema (the services' read endpoints); it changes nothing in
them but through their commands, and the retention and erasure functions they offer.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Mapping

import asyncpg

from services.consent.application.config import ConsentConfig
from services.membership.application.config import MembershipConfig
from services.register_api.domain.retention import RetentionRules, load_retention_rules
from shared.crypto import FieldCipher
from shared.pseudonym import keyed_token
from shared.settings import Settings
from shared.subject_keys import SubjectKeys

OWN_SCHEMA = "register_api"
SERVICE_SCHEMAS = ("membership", "cards", "purchases", "bonus", "consent")
SOURCE = "coopreg/register-api"


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class RegisterApi:
    settings: Settings
    pools: Mapping[str, asyncpg.Pool]
    membership: MembershipConfig = field(repr=False)
    subject_keys: SubjectKeys = field(repr=False)
    rules: RetentionRules = field(default_factory=load_retention_rules)
    clock: Callable[[], datetime] = _now

    @classmethod
    def build(cls, settings: Settings, pools: Mapping[str, asyncpg.Pool], **overrides) -> "RegisterApi":
        cipher = FieldCipher(settings.secrets.encryption_key.get_secret_value())
        return cls(settings, pools, MembershipConfig.from_settings(settings), SubjectKeys(cipher), **overrides)

    @property
    def own(self) -> asyncpg.Pool:
        return self.pools[OWN_SCHEMA]

    @property
    def index_key(self) -> str:
        return self.settings.secrets.index_key.get_secret_value()

    @property
    def consent(self) -> ConsentConfig:
        """What the consent service's functions are given (its segment pseudonyms and suppressions are keyed
        with the register's index key)."""
        return ConsentConfig(self.index_key, clock=self.clock)

    def pseudonym(self, person_id: str) -> str:
        """A stable pseudonym for analysis: no direct identifier, not linkable without the index key."""
        return keyed_token("analytics", person_id, self.index_key)
