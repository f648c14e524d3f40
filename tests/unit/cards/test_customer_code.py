import pytest

from services.cards.domain.customer_code import (
    check_customer_code,
    hash_customer_code,
    verify_customer_code,
)
from services.cards.domain.errors import CardRuleViolation

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("code", ["0000", "1234", "9999"])
def test_four_ascii_digits_are_a_customer_code(code):
    check_customer_code(code)


@pytest.mark.parametrize("code", ["123", "12345", "12a4", " 123", "١٢٣٤", ""])
def test_anything_but_four_ascii_digits_is_rejected(code):
    with pytest.raises(CardRuleViolation) as raised:
        check_customer_code(code)
    assert raised.value.code == "invalid_customer_code"
    assert code.strip() == "" or code not in str(raised.value)


def test_stored_form_is_scheme_salt_and_hash_without_the_code():
    stored = hash_customer_code("4321")
    scheme, salt, digest = stored.split("$")
    assert scheme == "scrypt" and salt and digest
    assert "4321" not in stored


def test_each_hash_gets_a_fresh_salt():
    assert hash_customer_code("4321") != hash_customer_code("4321")


def test_hash_with_a_given_salt_is_reproducible():
    salt = bytes(range(16))
    assert hash_customer_code("4321", salt) == hash_customer_code("4321", salt)


def test_the_right_code_verifies_and_a_wrong_one_does_not():
    stored = hash_customer_code("4321")
    assert verify_customer_code("4321", stored)
    assert not verify_customer_code("4322", stored)
    assert not verify_customer_code("43210", stored)


def test_a_stored_value_of_another_scheme_is_refused():
    with pytest.raises(ValueError):
        verify_customer_code("4321", "md5$abc$def")


def test_an_invalid_code_is_refused_before_hashing():
    with pytest.raises(CardRuleViolation):
        hash_customer_code("12")
