"""Crypto-shredding on the real stack: the register API publishes a rectification sealed under the
person's key, the membership service (a real process) opens and applies it; after the person is erased
the message — still in Kafka — can no longer be read, and a replay of it is dead-lettered unread. The same
for the consent service: the permission the API sent sealed can no longer be read, and the person's consent
state and segment entries end in tombstones on their topics. Membership's pseudonymous person state on
`membership.persons.v1` ends in a tombstone too, so downstream projections drop the person."""
from __future__ import annotations

import uuid
from datetime import timedelta

import orjson
import pytest

from contracts.events.consent import ConsentCommand, DefineSegment
from contracts.events.marketing import segment_topic
from contracts.events.membership import Resign
from contracts.topics import CONSENT_COMMANDS, CONSENT_STATES, MEMBERSHIP_COMMANDS, MEMBERSHIP_PERSONS
from coopreg.client import read_topic
from services.consent.application.config import ConsentConfig
from services.consent.application.erase_person import suppression_tokens
from services.register_api.entrypoints.app import create_app
from shared.crypto import FieldCipher
from shared.dead_letters import REASON, dlq_topic
from shared.subject_keys import HEADER, SubjectErased, SubjectKeys
from tests.support.people import join, register, unique
from tests.support.register_api import NOW, bearer
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")


async def _email(db, person_id: str):
    value = await db.fetchval("SELECT value FROM membership.base_data WHERE person_id = $1 AND field_group = 'email'"
                              " AND ended_at IS NULL", person_id)
    return orjson.loads(value)["address"] if value else None


async def _sealed_records(settings, person_id: str, topic=MEMBERSHIP_COMMANDS) -> list:
    records = await read_topic(settings, topic, timeout=5)
    return [r for r in records if dict(r.headers).get(HEADER) == person_id.encode()]


async def _erased(api, settings, person_id: str, db=None) -> dict | None:
    """Request the erasure and wait until every service has reported; the erasure's report (with `db`)."""
    dpo = bearer(settings, "data_protection_officer")
    requested = api.post(f"/persons/{person_id}/erasure", headers=dpo)
    assert requested.status_code == 202, requested.text
    path = f"/erasures/{requested.json()['erasure']['request_id']}"

    async def completed():
        return api.get(path, headers=dpo).json()["erasure"]["status"] == "completed"
    await eventually(completed, timeout=60)
    if db is not None:
        return orjson.loads(await db.fetchval("SELECT report::text FROM register_api.erasures WHERE person_id = $1",
                                              person_id))
    return None


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
        await _erased(api, settings, customer.person_id)
    keys = SubjectKeys(FieldCipher(settings.secrets.encryption_key.get_secret_value()))
    async with db.acquire() as conn:
        opened = await keys.open_records(conn, [record])
    assert isinstance(opened[id(record)], SubjectErased)
    assert await db.fetchval("SELECT count(*) FROM membership.persons WHERE person_id = $1", customer.person_id) == 0
    # the person's state on the compacted topic: published while registered, a tombstone after the erasure
    assert await eventually(lambda: _tombstoned(settings, MEMBERSHIP_PERSONS, customer.person_id.encode()))
    states = [r for r in await read_topic(settings, MEMBERSHIP_PERSONS, timeout=3)
              if r.key == customer.person_id.encode()]
    assert states[0].value is not None and dict(states[-1].headers)["ce_subject"] == customer.person_id.encode()
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


async def _latest(settings, topic, key: bytes) -> tuple[bool, bytes | None]:
    """(whether the key is on the topic, its latest value: None is a tombstone)."""
    records = [r for r in await read_topic(settings, topic, timeout=3) if r.key == key]
    return (True, records[-1].value) if records else (False, None)


async def _published(settings, topic, key: bytes) -> bytes | None:
    """The key's latest value on the topic, None while it is absent or tombstoned (for `eventually`)."""
    return (await _latest(settings, topic, key))[1]


async def _tombstoned(settings, topic, key: bytes) -> bool:
    return await _latest(settings, topic, key) == (True, None)


async def test_an_erased_persons_consent_is_tombstoned_on_its_topics_and_unreadable_in_kafka(settings, client, db):
    from fastapi.testclient import TestClient

    config, name = ConsentConfig.from_settings(settings), unique("erasure")[:30]
    customer = register(registered_at=NOW - timedelta(days=2))
    person_id, staff = customer.person_id, bearer(settings, "customer_service")
    await client.send(MEMBERSHIP_COMMANDS, person_id, customer)
    await client.send(MEMBERSHIP_COMMANDS, person_id, join(person_id, at=NOW - timedelta(days=1)))
    await client.send(CONSENT_COMMANDS, name, ConsentCommand(DefineSegment(name=name, purpose="marketing",
                                                                           channel="email", defined_at=NOW)))
    await client.flush()
    await eventually(lambda: db.fetchval("SELECT cooperative_id IS NOT NULL FROM consent.persons WHERE person_id = $1",
                                         person_id))
    key = config.pseudonym(name, person_id).encode()
    with TestClient(create_app(settings), raise_server_exceptions=False) as api:
        # the permission travels sealed; the consent service opens it and puts the person in the segment
        granted = api.put(f"/persons/{person_id}/permissions", json={"channel": "email", "granted": True},
                          headers=staff)
        blocked = api.put(f"/persons/{person_id}/blocks", json={"block": "surveys", "blocked": True}, headers=staff)
        assert (granted.status_code, blocked.status_code) == (202, 202), granted.text
        assert await eventually(lambda: _published(settings, segment_topic(name), key))
        await eventually(lambda: db.fetchval("SELECT count(*) = 2 FROM consent.consent_items WHERE person_id = $1",
                                             person_id))
        sealed = await eventually(lambda: _sealed_records(settings, person_id, CONSENT_COMMANDS))
        assert all(b"surveys" not in r.value and b"email" not in r.value for r in sealed)
        await client.send(MEMBERSHIP_COMMANDS, person_id, Resign(person_id=person_id, resigned_at=NOW))
        await client.flush()
        await eventually(lambda: db.fetchval("SELECT NOT EXISTS (SELECT 1 FROM membership.memberships WHERE"
                                             " person_id = $1 AND status = 'active')", person_id))
        await _erased(api, settings, person_id, db)
    # what they prohibited is kept as a suppression under keyed tokens (whichever came first: consent's erasure
    # on membership's tombstone of the person, or the erasure request, which then finds nothing more to do)
    tokens = list(suppression_tokens(config, person_id, None).values())
    assert await db.fetchval("SELECT blocks FROM consent.marketing_suppressions WHERE token = ANY($1)", tokens) == \
        ["surveys"]
    # the topics: the consent state and the segment entry end in tombstones, which compaction keeps
    assert await eventually(lambda: _tombstoned(settings, CONSENT_STATES, person_id.encode()))
    assert await eventually(lambda: _tombstoned(settings, segment_topic(name), key))
    assert await eventually(lambda: _tombstoned(settings, MEMBERSHIP_PERSONS, person_id.encode()))
    # the tables: nothing of the person's consent but the fact of erasure (and the suppression, keyed)
    assert not await db.fetchval("SELECT count(*) FROM consent.consent_receipts WHERE person_id = $1", person_id)
    assert await db.fetchval("SELECT erased_at IS NOT NULL FROM consent.persons WHERE person_id = $1", person_id)
    # the sealed consent commands stay in Kafka and can no longer be opened
    keys = SubjectKeys(FieldCipher(settings.secrets.encryption_key.get_secret_value()))
    async with db.acquire() as conn:
        opened = await keys.open_records(conn, sealed)
    assert len(sealed) == 2 and all(isinstance(opened[id(r)], SubjectErased) for r in sealed)
