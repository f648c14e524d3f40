import pytest

from services.cards.domain.card_number import (
    card_token,
    check_card_number,
    is_luhn_valid,
    last_four,
    luhn_check_digit,
)
from services.cards.domain.errors import CardRuleViolation

pytestmark = pytest.mark.unit

VISA_TEST_NUMBER = "4111111111111111"
KEY = b"k" * 32


def test_visa_test_number_passes_the_luhn_check():
    assert is_luhn_valid(VISA_TEST_NUMBER)
    check_card_number(VISA_TEST_NUMBER)


@pytest.mark.parametrize(("payload", "check_digit"), [("411111111111111", "1"), ("7992739871", "3")])
def test_check_digit_is_computed_from_the_payload(payload, check_digit):
    assert luhn_check_digit(payload) == check_digit


def test_changing_any_single_digit_breaks_the_check():
    for position, original in enumerate(VISA_TEST_NUMBER):
        for digit in "0123456789".replace(original, ""):
            changed = VISA_TEST_NUMBER[:position] + digit + VISA_TEST_NUMBER[position + 1 :]
            assert not is_luhn_valid(changed), changed


@pytest.mark.parametrize(
    "number",
    [
        "4111111111111112",  # wrong check digit
        "4111 1111 1111 1111",  # separators are not digits
        "４１１１１１１１１１１１１１１１",  # full-width digits are not ASCII digits
        "41111111112",  # 11 digits, Luhn-valid but too short
        "41111111111111111115",  # 20 digits, Luhn-valid but too long
        "",
    ],
)
def test_malformed_numbers_are_rejected_as_invalid_card_number(number):
    with pytest.raises(CardRuleViolation) as raised:
        check_card_number(number)
    assert raised.value.code == "invalid_card_number"


def test_rejection_message_never_contains_the_number():
    with pytest.raises(CardRuleViolation) as raised:
        check_card_number("4111111111111112")
    assert "4111" not in str(raised.value)
    assert "4111" not in repr(raised.value)


def test_lengths_from_twelve_to_nineteen_digits_are_accepted():
    for length in (12, 19):
        payload = "4" * (length - 1)
        check_card_number(payload + luhn_check_digit(payload))


def test_last_four_is_the_end_of_a_valid_number():
    assert last_four(VISA_TEST_NUMBER) == "1111"


def test_token_is_stable_for_the_same_number_and_key():
    assert card_token(VISA_TEST_NUMBER, KEY) == card_token(VISA_TEST_NUMBER, KEY)


def test_token_differs_by_key_and_by_number():
    other_number = "5555555555554444"
    assert card_token(VISA_TEST_NUMBER, KEY) != card_token(VISA_TEST_NUMBER, b"j" * 32)
    assert card_token(VISA_TEST_NUMBER, KEY) != card_token(other_number, KEY)


def test_token_is_hex_of_sha256_and_does_not_reveal_the_number():
    token = card_token(VISA_TEST_NUMBER, KEY)
    assert len(token) == 64 and int(token, 16) >= 0
    assert VISA_TEST_NUMBER not in token and "1111" not in token


def test_token_key_shorter_than_32_bytes_is_refused():
    with pytest.raises(ValueError):
        card_token(VISA_TEST_NUMBER, b"short")
