"""Whose key a dead letter is sealed under, and what a topic's broker configuration is."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from contracts.topics import BONUS_MONTH_TO_DATE, CARD_STATE, CONSENT_COMMANDS, DAY_MS, REGISTER_SBANK_UPDATES
from shared.crypto import FieldCipher
from shared.dead_letters import SEALED, SEALED_FOR, original_value, subject_of
from shared.subject_keys import HEADER, SubjectErased, seal

pytestmark = pytest.mark.unit


def record(value: bytes | None, key: bytes | None = None, headers=()):
    return SimpleNamespace(value=value, key=key, headers=list(headers))


@pytest.mark.parametrize(("message", "topic_key", "subject"), [
    (record(b"\x01sealed", b"ref-1", [(HEADER, b"p-sealed")]), "sbank customer ref", "p-sealed"),
    (record(b"not json", b"p-keyed"), "person id", "p-keyed"),
    (record(b'{"command": "set_block", "person_id": "p-in-value"}', b"p-in-value"), CONSENT_COMMANDS.key,
     "p-in-value"),
    (record(b'{"command": "define_segment", "name": "families"}', b"families"), CONSENT_COMMANDS.key, None),
    (record(b'{"identity_code": "010101A123B"}', b"ref-2"), "sbank customer ref", None),
    (record(b"not json 010101A123B", None), "update id", None),
    (record(b'["person_id"]', b"x"), "month", None),
])
def test_the_person_is_known_only_when_the_message_names_them(message, topic_key, subject):
    assert subject_of(message, topic_key) == subject


def test_a_letter_sealed_for_a_person_opens_only_with_their_key():
    key, cipher = bytes(32), FieldCipher("secret")
    letter = record(seal(key, "p-1", b"original"), headers=[(SEALED_FOR, b"p-1")])
    assert original_value(letter, cipher, {"p-1": key}) == b"original"
    with pytest.raises(SubjectErased):
        original_value(letter, cipher, {})
    shared = record(cipher.seal(b"original", "dead-letter"), headers=[(SEALED, b"1")])
    assert original_value(shared, cipher) == b"original"


def test_broker_configs_bound_how_long_personal_data_lives():
    assert REGISTER_SBANK_UPDATES.configs() == {"cleanup.policy": "delete", "retention.ms": str(3 * DAY_MS),
                                                "segment.ms": str(6 * 3600 * 1000)}
    assert CARD_STATE.configs()["cleanup.policy"] == "compact"
    assert int(CARD_STATE.configs()["max.compaction.lag.ms"]) == DAY_MS
    assert BONUS_MONTH_TO_DATE.configs()["cleanup.policy"] == "compact,delete"
