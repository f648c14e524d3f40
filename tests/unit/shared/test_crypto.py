"""Personal fields at rest: encrypted, bound to their context and key, never readable in the stored form."""
from __future__ import annotations

import pytest

from shared.crypto import DecryptionFailed, FieldCipher

pytestmark = pytest.mark.unit

CODE = "131052-308T"
CONTEXT = "persons.identity_code:p-1"


def test_a_value_decrypts_to_itself_under_its_context():
    cipher = FieldCipher("a key")
    assert cipher.decrypt(cipher.encrypt(CODE, CONTEXT), CONTEXT) == CODE


def test_the_stored_form_never_contains_the_value_and_differs_each_time():
    cipher = FieldCipher("a key")
    first, second = cipher.encrypt(CODE, CONTEXT), cipher.encrypt(CODE, CONTEXT)
    assert first != second
    assert CODE.encode() not in first and b"131052" not in first


def test_a_value_moved_to_another_row_does_not_decrypt():
    cipher = FieldCipher("a key")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(cipher.encrypt(CODE, CONTEXT), "persons.identity_code:p-2")


def test_another_key_cannot_decrypt():
    with pytest.raises(DecryptionFailed):
        FieldCipher("another key").decrypt(FieldCipher("a key").encrypt(CODE, CONTEXT), CONTEXT)


@pytest.mark.parametrize("damage", [lambda b: b[:-1] + bytes([b[-1] ^ 1]), lambda b: b"\x02" + b[1:],
                                    lambda b: b[:10]])
def test_a_tampered_value_is_refused(damage):
    cipher = FieldCipher("a key")
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(damage(cipher.encrypt(CODE, CONTEXT)), CONTEXT)


def test_the_cipher_does_not_show_its_key():
    assert "a key" not in repr(FieldCipher("a key"))


def test_an_empty_key_is_refused():
    with pytest.raises(ValueError):
        FieldCipher("")
