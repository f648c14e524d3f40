"""Kafka history after an erasure, on the real stack (docs/kafka-history.md): the compacted topics end in a
tombstone or a value without the person, the topics carry the retention the registry declares (also
topics made before it changed), and a dead letter about a person is sealed under their key, so it cannot
be opened once they are erased, while one about nobody still can."""
from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from contracts.events.bonus import CloseBonusMonth
from contracts.events.membership import AcceptInvitation, InviteToHousehold, LeaveHousehold, Resign
from contracts.topics import (
    ALL,
    CARD_COMMANDS,
    CARD_STATE,
    DAY_MS,
    MEMBERSHIP_COMMANDS,
    MEMBERSHIP_HOUSEHOLDS,
    REGISTER_SBANK_UPDATES,
    Topic,
)
from coopreg import dlq
from coopreg.client import read_topic
from services.cards.application import retention as cards_retention
from services.membership.application import retention as membership_retention
from shared.crypto import FieldCipher
from shared.db import create_pool, migrate
from shared.dead_letters import SEALED, SEALED_FOR, DeadLetters, dlq_topic
from shared.delivery import Delivery
from shared.kafka import ensure_topics, topic_configs
from shared.subject_keys import SubjectKeys
from tests.support.cards import fresh_number, issue_card, token
from tests.support.people import T0, identity_code, join, register, unique
from tests.support.stack import eventually

pytestmark = pytest.mark.usefixtures("services")


async def latest(settings, topic, key: str) -> tuple[bool, bytes | None]:
    """(whether the key is on the topic, its latest value: None is a tombstone)."""
    records = [r for r in await read_topic(settings, topic, timeout=3) if r.key == key.encode()]
    return (True, records[-1].value) if records else (False, None)


async def tombstoned(settings, topic, key: str) -> bool:
    return await latest(settings, topic, key) == (True, None)


async def dead_letters_of(settings, topic, key: str) -> list:
    return [r for r in await read_topic(settings, dlq_topic(topic.name), timeout=2) if r.key == key.encode()]


async def send(client, key: str, *commands) -> None:
    for command in commands:
        await client.send(MEMBERSHIP_COMMANDS, key, command)
    await client.flush()


async def erase(settings, service: str, erase_person, person_id: str) -> dict:
    """A service's own erase function on a connection to its schema, as whoever orchestrates erasure calls it."""
    pool = await create_pool(settings.pg, service, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn, conn.transaction():
            return await erase_person(conn, person_id)
    finally:
        await pool.close()


async def test_an_erasure_leaves_a_tombstone_for_each_card_and_households_without_the_person(settings, client, db):
    main, member = register(), register(registered_at=T0 + timedelta(hours=1))
    await send(client, main.person_id, main)
    await send(client, member.person_id, member)
    await eventually(lambda: db.fetchval("SELECT count(*) = 2 FROM membership.persons WHERE person_id = ANY($1)",
                                         [main.person_id, member.person_id]))
    joined = join(main.person_id, at=T0 + timedelta(hours=2))
    household, invitation = joined.household_id, unique("inv")
    # one key for the household's commands, so they are applied in order
    await send(client, main.person_id, joined,
               InviteToHousehold(invitation_id=invitation, main_member_person_id=main.person_id,
                                 invitee_person_id=member.person_id, invited_at=T0 + timedelta(days=1)),
               AcceptInvitation(invitation_id=invitation, person_id=member.person_id,
                                accepted_at=T0 + timedelta(days=2)))
    number = fresh_number()
    card = token(number, settings.secrets.index_key.get_secret_value())
    await client.send(CARD_COMMANDS, member.person_id,
                      issue_card(number, member.person_id, household, T0 + timedelta(days=3)))
    await client.flush()

    async def household_lists_member():
        value = (await latest(settings, MEMBERSHIP_HOUSEHOLDS, household))[1]
        return value and member.person_id in {m["person_id"] for m in orjson.loads(value)["members"]}
    assert await eventually(household_lists_member)
    assert await eventually(lambda: db.fetchval("SELECT count(*) > 0 FROM purchases.card_allocations"
                                                " WHERE card_token = $1", card))
    await send(client, main.person_id, LeaveHousehold(
        person_id=member.person_id, actor_person_id=member.person_id, left_at=T0 + timedelta(days=4)))
    await eventually(lambda: db.fetchval("SELECT count(*) = 0 FROM membership.household_members"
                                         " WHERE person_id = $1 AND valid_to IS NULL", member.person_id))

    # the member is erased by the services' own erase functions
    cards_report = await erase(settings, "cards", cards_retention.erase_person, member.person_id)
    assert cards_report["cards_tombstoned"] == 1
    report = await erase(settings, "membership", membership_retention.erase_person, member.person_id)
    assert (report["households_republished"], report["households_tombstoned"]) == (1, 0)

    # cards.card.v1: the card's latest value is a tombstone, and the purchases projection dropped the card
    assert await eventually(lambda: tombstoned(settings, CARD_STATE, card))
    assert await eventually(lambda: db.fetchval("SELECT count(*) = 0 FROM purchases.card_allocations"
                                                " WHERE card_token = $1", card))
    # membership.households.v1: the household's latest value no longer names the member anywhere

    async def republished_without_member():
        value = (await latest(settings, MEMBERSHIP_HOUSEHOLDS, household))[1]
        return value is not None and member.person_id.encode() not in value
    assert await eventually(republished_without_member)

    # the main member resigns (the household dissolves) and is erased: the household gets a tombstone
    await send(client, main.person_id, Resign(person_id=main.person_id, resigned_at=T0 + timedelta(days=5)))
    await eventually(lambda: db.fetchval("SELECT status = 'dissolved' FROM membership.households"
                                         " WHERE household_id = $1", household))
    report = await erase(settings, "membership", membership_retention.erase_person, main.person_id)
    assert (report["households_republished"], report["households_tombstoned"]) == (0, 1)
    assert await eventually(lambda: tombstoned(settings, MEMBERSHIP_HOUSEHOLDS, household))
    # the consumers took the tombstones: consent dropped the household naming its main member, no dead letter
    assert await eventually(lambda: db.fetchval("SELECT count(*) = 0 FROM consent.households WHERE household_id = $1",
                                                household))
    assert await dead_letters_of(settings, CARD_STATE, card) == []
    assert await dead_letters_of(settings, MEMBERSHIP_HOUSEHOLDS, household) == []


async def test_every_topic_carries_the_configuration_the_registry_declares(settings):
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka.bootstrap_servers)
    await admin.start()
    try:
        names = {settings.kafka.topic(t.name): t for t in ALL}
        current = await topic_configs(admin, list(names))
        for name, topic in names.items():
            assert {k: current[name][k] for k in topic.configs()} == topic.configs(), name
        # what docs/kafka-history.md promises of the outbound contact data and of card states
        sbank = current[settings.kafka.topic(REGISTER_SBANK_UPDATES.name)]
        assert (sbank["cleanup.policy"], sbank["retention.ms"]) == ("delete", str(3 * DAY_MS))
        assert int(sbank["segment.ms"]) <= 6 * 3600 * 1000
        cards = current[settings.kafka.topic(CARD_STATE.name)]
        assert (cards["cleanup.policy"], cards["max.compaction.lag.ms"]) == ("compact", str(DAY_MS))

        # a topic made before its retention was shortened gets the new one, and only once
        old = Topic(f"kafka-history-{uuid.uuid4().hex[:6]}.v1", "sbank customer ref", REGISTER_SBANK_UPDATES.model,
                    "made with a week's retention", retention_ms=3 * DAY_MS)
        await admin.create_topics([NewTopic(settings.kafka.topic(old.name), 1, settings.kafka.replication,
                                            topic_configs={"retention.ms": str(7 * DAY_MS)})])
        await ensure_topics(settings.kafka, (old,))
        aligned = (await topic_configs(admin, [settings.kafka.topic(old.name)]))[settings.kafka.topic(old.name)]
        assert (aligned["retention.ms"], aligned["segment.ms"]) == (str(3 * DAY_MS), str(6 * 3600 * 1000))
        assert await ensure_topics(settings.kafka, (old,)) == []
    finally:
        await admin.close()


SCHEMA = "dead_letters_test"


@pytest.fixture(scope="module")
async def pool(settings, tmp_path_factory):
    pool = await create_pool(settings.pg, SCHEMA)
    await migrate(pool, SCHEMA, Path(tmp_path_factory.mktemp("no-migrations")))
    async with pool.acquire() as conn, conn.transaction():
        await SubjectKeys.ensure_schema(conn)
    yield pool
    await pool.close()


async def test_a_dead_letter_about_a_person_is_shredded_with_their_key_one_about_nobody_is_not(
        settings, client, pool, producer):
    cipher = FieldCipher(settings.secrets.encryption_key.get_secret_value())
    keys = SubjectKeys(cipher)
    topic = Topic(f"dead-letters-{uuid.uuid4().hex[:6]}.v1", "person id", CloseBonusMonth, "a person-keyed topic")
    await ensure_topics(settings.kafka, (topic,))
    person, code = unique("p"), identity_code()
    await client.send_raw(topic, f"not json: {code}".encode(), person.encode())   # about the person
    await client.send_raw(topic, f"not json either: {code}".encode(), None)       # about nobody known
    await client.flush()
    delivery = Delivery("dead-letters", CloseBonusMonth, pool, DeadLetters(producer, cipher, keys, pool),
                        settings.delivery, topic_key=topic.key)

    async def fail(conn, messages):
        raise AssertionError("nothing here decodes")
    await delivery.process(await read_topic(settings, topic, expect=2, timeout=15), fail)

    letters = await read_topic(settings, topic.dlq, expect=2, timeout=15)
    about_person = next(r for r in letters if r.key == person.encode())
    about_nobody = next(r for r in letters if r.key is None)
    assert dict(about_person.headers)[SEALED_FOR] == person.encode() and SEALED not in dict(about_person.headers)
    assert dict(about_nobody.headers)[SEALED] == b"1" and SEALED_FOR not in dict(about_nobody.headers)
    assert all(code.encode() not in r.value for r in letters)
    # both open while the person's key exists (the identity code masked for the operator's eyes), each opening
    # recorded first with whom it is about (the CLI records it in the audit log through the register API)
    openings = []

    async def record(*opening):
        openings.append(opening)
    for letter in (about_person, about_nobody):
        shown = await dlq.dead_letter(settings, topic.name, letter.offset, open_value=True, record_opening=record)
        assert shown.sealed and shown.value and code not in shown.value
    assert [persons for *_, persons in openings] == [[person], []]
    with pytest.raises(ValueError, match="audited"):  # never opened without recording it
        await dlq.dead_letter(settings, topic.name, about_nobody.offset, open_value=True)

    api = await create_pool(settings.pg, "register_api", max_size=1)  # only the API destroys a key
    try:
        async with api.acquire() as conn:
            assert await keys.erase(conn, person)
    finally:
        await api.close()
    with pytest.raises(ValueError, match="erased"):
        await dlq.dead_letter(settings, topic.name, about_person.offset, open_value=True, record_opening=record)
    assert (await dlq.dead_letter(settings, topic.name, about_nobody.offset, open_value=True,
                                  record_opening=record)).value
    # replay sends back only what can be opened: the letter about nobody, in its original bytes
    assert await dlq.replay(settings, topic.name) == 1
    records = await read_topic(settings, topic, expect=3, timeout=15)
    assert sorted((r.key or b"", r.value) for r in records) == sorted(
        [(person.encode(), f"not json: {code}".encode())] + [(b"", f"not json either: {code}".encode())] * 2)
    # a message about a person already erased is dead-lettered without its value
    await delivery.process([r for r in records if r.key == person.encode()], fail)
    last = (await read_topic(settings, topic.dlq, expect=3, timeout=15))[-1]
    assert (last.key, last.value, dict(last.headers)[SEALED_FOR]) == (person.encode(), None, person.encode())
