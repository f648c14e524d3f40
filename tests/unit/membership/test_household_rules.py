from datetime import date

import pytest

from services.membership.domain.errors import (
    AdultMustAcceptInvitation,
    MainMemberCannotLeave,
    MinorMustBeAddedByMainMember,
    NotAllowedToRemoveMember,
    PersonAlreadyInHousehold,
)
from services.membership.domain.household_rules import (
    AdultJoinsOnlyByAcceptingAnInvitation,
    JoiningMethod,
    MainMemberLeavesOnlyByDissolvingTheHousehold,
    MemberLeavesThemselfOrIsRemovedByTheMainMember,
    MinorIsAddedDirectlyByTheMainMember,
    PersonBelongsToOneHouseholdAtATime,
    age_on,
    check_can_join_household,
    check_can_leave_household,
    is_adult_on,
)
from services.membership.domain.identity_code import parse_identity_code

pytestmark = pytest.mark.unit

ADULT = parse_identity_code("131052-308T")  # born 13.10.1952
CHILD = parse_identity_code("101010C321E")  # born 10.10.2010
TURNS_18_ON_7_7_2025 = parse_identity_code("070707B7771")
LEAPLING = parse_identity_code("290200A4561")  # born 29.2.2000
TODAY = date(2025, 1, 15)
INVITED = JoiningMethod.ACCEPTED_INVITATION
ADDED = JoiningMethod.ADDED_BY_MAIN_MEMBER


@pytest.mark.parametrize(
    ("code", "day", "age"),
    [
        (ADULT, TODAY, 72),
        (CHILD, TODAY, 14),
        (TURNS_18_ON_7_7_2025, date(2025, 7, 6), 17),
        (TURNS_18_ON_7_7_2025, date(2025, 7, 7), 18),
        (LEAPLING, date(2018, 2, 28), 17),
        (LEAPLING, date(2018, 3, 1), 18),
        (LEAPLING, date(2020, 2, 29), 20),
    ],
)
def test_age_is_computed_from_the_identity_codes_birth_date(code, day, age):
    assert age_on(code, day) == age


def test_a_person_is_adult_from_the_18th_birthday():
    assert not is_adult_on(TURNS_18_ON_7_7_2025, date(2025, 7, 6))
    assert is_adult_on(TURNS_18_ON_7_7_2025, date(2025, 7, 7))


@pytest.mark.parametrize(
    ("current_household_id", "broken"),
    [(None, False), ("household-1", True)],
)
def test_person_belongs_to_one_household_at_a_time(current_household_id, broken):
    assert PersonBelongsToOneHouseholdAtATime(current_household_id).is_broken() is broken


@pytest.mark.parametrize(
    ("joiner", "method", "rule", "broken"),
    [
        (ADULT, INVITED, AdultJoinsOnlyByAcceptingAnInvitation, False),
        (ADULT, ADDED, AdultJoinsOnlyByAcceptingAnInvitation, True),
        (CHILD, ADDED, AdultJoinsOnlyByAcceptingAnInvitation, False),
        (CHILD, ADDED, MinorIsAddedDirectlyByTheMainMember, False),
        (CHILD, INVITED, MinorIsAddedDirectlyByTheMainMember, True),
        (ADULT, INVITED, MinorIsAddedDirectlyByTheMainMember, False),
    ],
)
def test_joining_method_depends_on_age(joiner, method, rule, broken):
    assert rule(joiner, method, TODAY).is_broken() is broken


@pytest.mark.parametrize(
    ("joiner", "current_household_id", "method", "on", "violation"),
    [
        (ADULT, "household-1", INVITED, TODAY, PersonAlreadyInHousehold),
        (ADULT, None, ADDED, TODAY, AdultMustAcceptInvitation),
        (CHILD, None, INVITED, TODAY, MinorMustBeAddedByMainMember),
        (TURNS_18_ON_7_7_2025, None, ADDED, date(2025, 7, 7), AdultMustAcceptInvitation),
    ],
)
def test_joining_a_household_is_refused_when_a_rule_is_broken(
    joiner, current_household_id, method, on, violation
):
    with pytest.raises(violation) as refused:
        check_can_join_household(joiner, current_household_id, method, on)

    assert refused.value.code == violation.code


@pytest.mark.parametrize(
    ("joiner", "method", "on"),
    [
        (ADULT, INVITED, TODAY),
        (CHILD, ADDED, TODAY),
        (TURNS_18_ON_7_7_2025, ADDED, date(2025, 7, 6)),
    ],
)
def test_joining_a_household_is_allowed_by_the_right_method(joiner, method, on):
    check_can_join_household(joiner, None, method, on)


def test_main_member_cannot_leave_without_dissolving_the_household():
    assert MainMemberLeavesOnlyByDissolvingTheHousehold(leaver_is_main_member=True).is_broken()
    with pytest.raises(MainMemberCannotLeave):
        check_can_leave_household(
            leaver_is_main_member=True, actor_is_the_member=True, actor_is_main_member=True
        )


@pytest.mark.parametrize(
    ("actor_is_the_member", "actor_is_main_member", "broken"),
    [(True, False, False), (False, True, False), (False, False, True)],
)
def test_member_leaves_themself_or_is_removed_by_the_main_member(
    actor_is_the_member, actor_is_main_member, broken
):
    rule = MemberLeavesThemselfOrIsRemovedByTheMainMember(actor_is_the_member, actor_is_main_member)

    assert rule.is_broken() is broken


def test_someone_else_cannot_remove_a_member():
    with pytest.raises(NotAllowedToRemoveMember):
        check_can_leave_household(
            leaver_is_main_member=False, actor_is_the_member=False, actor_is_main_member=False
        )


def test_violation_messages_carry_no_personal_data():
    with pytest.raises(AdultMustAcceptInvitation) as refused:
        AdultJoinsOnlyByAcceptingAnInvitation(ADULT, ADDED, TODAY).check()

    assert "131052" not in str(refused.value)
