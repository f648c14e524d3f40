import pytest

from services.membership.domain.contact import (
    format_iban,
    normalise_email,
    normalise_iban,
    normalise_phone,
    postal_address,
)
from services.membership.domain.errors import InvalidAddress, InvalidEmail, InvalidIban, InvalidPhone

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FI2112345600000785", "FI2112345600000785"),
        ("fi21 1234 5600 0007 85", "FI2112345600000785"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("SE4550000000058398257466", "SE4550000000058398257466"),
        ("NO9386011117947", "NO9386011117947"),
        ("FR1420041010050500013M02606", "FR1420041010050500013M02606"),
    ],
)
def test_valid_iban_is_normalised_to_electronic_form(text, expected):
    assert normalise_iban(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FI2112345600000786", "check_digits"),
        ("FI2112345600000875", "check_digits"),
        ("FI211234560000078", "length"),
        ("FI21123456000007851", "length"),
        ("US64SVBKUS6S3300958879", "unsupported_country"),
        ("FI21-1234-5600-0007-85", "format"),
        ("", "format"),
    ],
)
def test_invalid_iban_is_rejected(text, reason):
    with pytest.raises(InvalidIban) as rejected:
        normalise_iban(text)

    assert (rejected.value.code, rejected.value.reason) == ("invalid_iban", reason)
    assert "1234" not in str(rejected.value)


def test_iban_prints_in_groups_of_four():
    assert format_iban("FI2112345600000785") == "FI21 1234 5600 0007 85"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("040 123 4567", "+358401234567"),
        ("040-1234567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("+358 (0)40 123 4567", "+358401234567"),
        ("00358401234567", "+358401234567"),
        ("09 123 4567", "+35891234567"),
        ("+46 70 123 45 67", "+46701234567"),
    ],
)
def test_phone_is_normalised_to_e164_with_finland_as_default(text, expected):
    assert normalise_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("401234567", "prefix"),
        ("", "prefix"),
        ("call me", "prefix"),
        ("040 123 abc", "characters"),
        ("+0401234567", "characters"),
        ("+358 40 12#4567", "characters"),
        ("+3581234", "length"),
        ("+35840123456789012", "length"),
    ],
)
def test_junk_phone_is_rejected(text, reason):
    with pytest.raises(InvalidPhone) as rejected:
        normalise_phone(text)

    assert (rejected.value.code, rejected.value.reason) == ("invalid_phone", reason)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("matti.meikalainen@example.fi", "matti.meikalainen@example.fi"),
        ("  Matti@Example.FI ", "Matti@example.fi"),
        ("a+tag@mail.sub-domain.example.com", "a+tag@mail.sub-domain.example.com"),
    ],
)
def test_valid_email_is_trimmed_and_its_domain_lower_cased(text, expected):
    assert normalise_email(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "length"),
        ("a@" + "b" * 250 + ".fi", "length"),
        ("matti meikalainen@example.fi", "whitespace"),
        ("matti.example.fi", "at_sign"),
        ("matti@@example.fi", "at_sign"),
        ("a@b@example.fi", "at_sign"),
        ("@example.fi", "local_part"),
        ("x" * 65 + "@example.fi", "local_part"),
        ("matti@localhost", "domain"),
        ("matti@example..fi", "domain"),
        ("matti@.example.fi", "domain"),
        ("matti@-example.fi", "domain"),
        ("matti@exa_mple.fi", "domain"),
    ],
)
def test_invalid_email_is_rejected(text, reason):
    with pytest.raises(InvalidEmail) as rejected:
        normalise_email(text)

    assert (rejected.value.code, rejected.value.reason) == ("invalid_email", reason)
    assert "matti" not in str(rejected.value)


def test_finnish_address_is_trimmed_and_country_defaults_to_finland():
    address = postal_address(" Mannerheimintie 1 A 2 ", "00100", " Helsinki ")

    assert (address.street, address.postal_code, address.city, address.country_code) == (
        "Mannerheimintie 1 A 2",
        "00100",
        "Helsinki",
        "FI",
    )


def test_foreign_address_keeps_its_own_postal_code_format():
    address = postal_address("Drottninggatan 1", "111 51", "Stockholm", "se")

    assert (address.postal_code, address.country_code) == ("111 51", "SE")


def test_address_repr_does_not_reveal_the_street():
    assert "Mannerheimintie" not in repr(postal_address("Mannerheimintie 1", "00100", "Helsinki"))


@pytest.mark.parametrize(
    ("street", "postal_code", "city", "country_code", "reason"),
    [
        ("", "00100", "Helsinki", "FI", "street"),
        ("Mannerheimintie 1", "0010", "Helsinki", "FI", "postal_code"),
        ("Mannerheimintie 1", "001000", "Helsinki", "FI", "postal_code"),
        ("Mannerheimintie 1", "OO1OO", "Helsinki", "FI", "postal_code"),
        ("Torggatan 1", "2210", "Mariehamn", "AX", "postal_code"),
        ("Mannerheimintie 1", "00100", " ", "FI", "city"),
        ("Mannerheimintie 1", "00100", "Helsinki", "FIN", "country_code"),
        ("Mannerheimintie 1", "00100", "Helsinki", "F1", "country_code"),
    ],
)
def test_invalid_address_is_rejected(street, postal_code, city, country_code, reason):
    with pytest.raises(InvalidAddress) as rejected:
        postal_address(street, postal_code, city, country_code)

    assert (rejected.value.code, rejected.value.reason) == ("invalid_address", reason)
