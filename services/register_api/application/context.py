"""What the register API's use cases are given: its own schema's pool, the client of the services' subject
endpoints, keys, rules and a clock.

The API keeps only its own data (the audit log, extract and erasure requests, retention runs, the outbox of
the commands it publishes). A person's data it asks of each service's subject endpoint, in the service's own
process (`adapters/services.py`); it changes them only through the services' commands, and erasure and
retention are durable requests every service carries out itself (`contracts/events/privacy.py`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

import asyncpg

from services.register_api.adapters.services import ServiceClient
from services.register_api.domain.retention import RetentionRules, load_retention_rules
from shared.crypto import FieldCipher
from shared.pseudonym import keyed_token
from shared.settings import Settings
from shared.subject_keys import SubjectKeys

OWN_SCHEMA = "register_api"
SOURCE = "coopreg/register-api"


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class RegisterApi:
    settings: Settings
    own: asyncpg.Pool
    services: ServiceClient = field(repr=False)
    subject_keys: SubjectKeys = field(repr=False)
    rules: RetentionRules = field(default_factory=load_retention_rules)
    clock: Callable[[], datetime] = _now

    @classmethod
    def build(cls, settings: Settings, own: asyncpg.Pool, **overrides) -> "RegisterApi":
        cipher = FieldCipher(settings.secrets.encryption_key.get_secret_value())
        return cls(settings, own, ServiceClient(settings), SubjectKeys(cipher), **overrides)

    @property
    def index_key(self) -> str:
        return self.settings.secrets.index_key.get_secret_value()

    def pseudonym(self, person_id: str) -> str:
        """A stable pseudonym for analysis: no direct identifier, not linkable without the index key."""
        return keyed_token("analytics", person_id, self.index_key)
