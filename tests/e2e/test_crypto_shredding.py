"""Crypto-shredding on the real stack: the register API publishes a rectification sealed under the
person's key, the membership service (a real process) opens and applies it; after the person is erased
the message — still in Kafka — can no longer be read, and a replay of it is dead-lettered unread."""
from __future__ import annotations

import uuid
from datetime import timedelta

import orjson
import pytest

from contracts.topics import MEMBERSHIP_COMMANDS
from coopreg.client import read_topic
from services.register_api.entrypoints.app import create_app
from shared.crypto import FieldCipher
from shared.dead_letters import REASON, dlq_topic
from shared.subject_keys import HEADER, SubjectErased, SubjectKeys
from tests.support.people import register
from tests.support.register_api import NOW, bearer
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")


async def _email(db, person_id: str):
    value = await db.fetchval("SELECT value FROM membership.base_data WHERE person_id = $1 AND field_group = 'email'"
                              " AND ended_at IS NULL", person_id)
    return orjson.loads(value)["address"] if value else None


async def _sealed_records(settings, person_id: str) -> list:
    records = await read_topic(settings, MEMBERSHIP_COMMANDS, timeout=5)
    return [r for r in records if dict(r.headers).get(HEADER) == person_id.encode()]


async def test_an_erased_persons_sealed_history_in_kafka_cannot_be_read(settings, client, db):
    from fastapi.testclient import TestClient

    customer = register(email="maija.before@example.fi", registered_at=NOW - timedelta(days=1))
    new_email = f"maija.{uuid.uuid4().hex[:8]}@example.fi"
    await client.send(MEMBERSHIP_COMMANDS, customer.person_id, customer)
    await client.flush()
    await eventually(lambda: _email(db, customer.person_id))
    with TestClient(create_app(settings), raise_server_exceptions=False) as api:
        # the rectification travels sealed, and the membership service applies it
        changed = api.patch(f"/persons/{customer.person_id}/contact", json={"email": new_email},
                            headers=bearer(settings, "customer_service"))
        assert changed.status_code == 202, changed.text
        assert await eventually(lambda: _has(db, customer.person_id, new_email))
        (record,) = await eventually(lambda: _sealed_records(settings, customer.person_id))
        assert new_email.encode() not in record.value
        # the person is erased: the key is destroyed, the message in Kafka stays but cannot be opened
        erased = api.post(f"/persons/{customer.person_id}/erasure", headers=bearer(settings, "data_protection_officer"))
        assert erased.status_code == 200, erased.text
    keys = SubjectKeys(FieldCipher(settings.secrets.encryption_key.get_secret_value()))
    async with db.acquire() as conn:
        opened = await keys.open_records(conn, [record])
    assert isinstance(opened[id(record)], SubjectErased)
    assert await db.fetchval("SELECT count(*) FROM membership.persons WHERE person_id = $1", customer.person_id) == 0
    # a replay of the sealed message reaches the service, which cannot read it: dead-lettered, nothing applied
    headers = [(k, v) for k, v in record.headers if k != "ce_id"] + [("ce_id", str(uuid.uuid4()).encode())]
    await client.send_raw(MEMBERSHIP_COMMANDS, record.value, record.key, headers)
    await client.flush()
    dead = await eventually(lambda: _dead_letters(settings, customer.person_id))
    assert dict(dead[-1].headers)[REASON] == b"subject_erased"
    assert await db.fetchval("SELECT count(*) FROM membership.persons WHERE person_id = $1", customer.person_id) == 0


async def _has(db, person_id: str, email: str) -> bool:
    return await _email(db, person_id) == email


async def _dead_letters(settings, person_id: str) -> list:
    records = await read_topic(settings, dlq_topic(MEMBERSHIP_COMMANDS.name), timeout=3)
    return [r for r in records if dict(r.headers).get(HEADER) == person_id.encode()]
