from datetime import date

import pytest

from services.membership.domain.errors import InvalidIdentityCode, MembershipRuleViolation
from services.membership.domain.identity_code import (
    CENTURY_BY_SIGN,
    Gender,
    check_character_for,
    is_valid_identity_code,
    parse_identity_code,
)

pytestmark = pytest.mark.unit

# Check characters below were computed with the mod-31 rule, not copied from memory.
VALID_CODES = [
    ("010185+123B", date(1885, 1, 1), Gender.MALE),
    ("131052-308T", date(1952, 10, 13), Gender.FEMALE),
    ("311299-8997", date(1999, 12, 31), Gender.MALE),
    ("050570Y417S", date(1970, 5, 5), Gender.MALE),
    ("121212X568U", date(1912, 12, 12), Gender.FEMALE),
    ("150679W246U", date(1979, 6, 15), Gender.FEMALE),
    ("290288V135C", date(1988, 2, 29), Gender.MALE),
    ("010101U002S", date(1901, 1, 1), Gender.FEMALE),
    ("290200A4561", date(2000, 2, 29), Gender.FEMALE),
    ("070707B7771", date(2007, 7, 7), Gender.MALE),
    ("101010C321E", date(2010, 10, 10), Gender.MALE),
    ("300616D042N", date(2016, 6, 30), Gender.FEMALE),
    ("010123E468F", date(2023, 1, 1), Gender.FEMALE),
    ("311224F1379", date(2024, 12, 31), Gender.MALE),
]

# DVV's reform test codes use temporary individual numbers (900-999).
DVV_TEMPORARY_CODES = [
    ("010594Y9032", date(1994, 5, 1)),
    ("010594Y9021", date(1994, 5, 1)),
    ("020594X903P", date(1994, 5, 2)),
    ("020502A902X", date(2002, 5, 2)),
    ("030516D9037", date(2016, 5, 3)),
    ("020504B904H", date(2004, 5, 2)),
    ("311280-999J", date(1980, 12, 31)),
]


@pytest.mark.parametrize(("text", "birth_date", "gender"), VALID_CODES)
def test_valid_code_yields_birth_date_and_gender(text, birth_date, gender):
    code = parse_identity_code(text)

    assert (code.value, code.birth_date, code.gender) == (text, birth_date, gender)
    assert not code.is_temporary


def test_every_century_sign_of_the_2023_reform_has_a_valid_example():
    assert {text[6] for text, _, _ in VALID_CODES} == set(CENTURY_BY_SIGN)


@pytest.mark.parametrize(("text", "birth_date"), DVV_TEMPORARY_CODES)
def test_temporary_code_is_accepted_only_when_allowed(text, birth_date):
    with pytest.raises(InvalidIdentityCode) as rejected:
        parse_identity_code(text)
    assert rejected.value.reason == "temporary_individual_number"

    code = parse_identity_code(text, allow_temporary=True)
    assert code.birth_date == birth_date
    assert code.is_temporary


def test_the_same_birth_day_with_different_signs_gives_different_codes():
    assert parse_identity_code("010594Y9032", allow_temporary=True) != parse_identity_code(
        "010594Y9021", allow_temporary=True
    )


def test_code_is_trimmed_and_upper_cased():
    assert parse_identity_code(" 020502a902x ", allow_temporary=True).value == "020502A902X"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("131052-308", "length"),
        ("131052-308TT", "length"),
        ("", "length"),
        ("131052-308U", "check_character"),
        ("131052-308G", "check_character"),
        ("131052Z308T", "century_sign"),
        ("131052*308T", "century_sign"),
        ("310299-123A", "date"),
        ("290299-123A", "date"),
        ("001052-308T", "date"),
        ("131352-308T", "date"),
        ("13105a-308T", "date"),
        ("131052-30xT", "individual_number"),
        ("131052-001H", "individual_number"),
        ("131052-000F", "individual_number"),
    ],
)
def test_invalid_code_is_rejected_with_a_reason(text, reason):
    with pytest.raises(InvalidIdentityCode) as rejected:
        parse_identity_code(text)

    assert rejected.value.reason == reason
    assert rejected.value.code == "invalid_identity_code"


def test_rejection_message_never_contains_the_code():
    with pytest.raises(MembershipRuleViolation) as rejected:
        parse_identity_code("131052-308U")

    assert "131052" not in str(rejected.value)
    assert "308" not in str(rejected.value)


def test_parsed_code_is_masked_in_repr_and_str():
    code = parse_identity_code("131052-308T")

    assert "131052" not in repr(code)
    assert "131052" not in str(code)


@pytest.mark.parametrize(
    ("date_part", "individual_number", "check"),
    [("131052", "308", "T"), ("010594", "903", "2"), ("010190", "999", "W")],
)
def test_check_character_is_the_nine_digits_mod_31(date_part, individual_number, check):
    assert check_character_for(date_part, individual_number) == check


def test_illustrative_reform_example_with_wrong_check_character_is_invalid():
    assert not is_valid_identity_code("010190Y999K", allow_temporary=True)
    assert is_valid_identity_code("010190Y999W", allow_temporary=True)
