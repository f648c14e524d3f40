"""Domain exceptions of the membership service.

Every violation carries a stable machine-readable `code` (for API responses, dead-letter records and
tests) and an optional `reason` naming which part of the rule failed. Messages are built only from
these constants, so they never contain the personal data that was being checked.
"""
from __future__ import annotations

from shared.rules import RuleViolation


class MembershipRuleViolation(RuleViolation):
    """Base class: a membership rule was broken. A class per rule, its message the rule's summary."""

    code: str = "membership_rule_violation"
    summary: str = "a membership rule was violated"

    def __init__(self, reason: str | None = None) -> None:
        self.reason = reason
        super().__init__(self.summary if reason is None else f"{self.summary}: {reason}")


class InvalidIdentityCode(MembershipRuleViolation):
    code = "invalid_identity_code"
    summary = "invalid Finnish personal identity code"


class InvalidIban(MembershipRuleViolation):
    code = "invalid_iban"
    summary = "invalid IBAN"


class InvalidPhone(MembershipRuleViolation):
    code = "invalid_phone"
    summary = "invalid phone number"


class InvalidEmail(MembershipRuleViolation):
    code = "invalid_email"
    summary = "invalid email address"


class InvalidAddress(MembershipRuleViolation):
    code = "invalid_address"
    summary = "invalid postal address"


class InvalidPaymentAmount(MembershipRuleViolation):
    code = "invalid_payment_amount"
    summary = "payment amount must be a positive number of cents"


class FirstPaymentTooSmall(MembershipRuleViolation):
    code = "first_payment_too_small"
    summary = "the first capital contribution payment is below the cooperative's minimum"


class ContributionOverdue(MembershipRuleViolation):
    code = "contribution_overdue"
    summary = "the capital contribution deadline has passed"


class RefundExceedsPaid(MembershipRuleViolation):
    code = "refund_exceeds_paid"
    summary = "a refund cannot exceed the paid capital contribution"


class InvalidRate(MembershipRuleViolation):
    code = "invalid_rate"
    summary = "a rate in basis points must be a non-negative integer"


class UnknownCooperative(MembershipRuleViolation):
    code = "unknown_cooperative"
    summary = "no such cooperative"


class InvalidCooperativeData(MembershipRuleViolation):
    code = "invalid_cooperative_data"
    summary = "the cooperative seed data is inconsistent"


class PersonAlreadyInHousehold(MembershipRuleViolation):
    code = "person_already_in_household"
    summary = "a person belongs to one household at a time"


class AdultMustAcceptInvitation(MembershipRuleViolation):
    code = "adult_must_accept_invitation"
    summary = "an adult joins a household only by accepting the main member's invitation"


class MinorMustBeAddedByMainMember(MembershipRuleViolation):
    code = "minor_must_be_added_by_main_member"
    summary = "a minor is added to a household directly by the main member"


class MainMemberCannotLeave(MembershipRuleViolation):
    code = "main_member_cannot_leave"
    summary = "the main member cannot leave the household without dissolving it"


class NotAllowedToRemoveMember(MembershipRuleViolation):
    code = "not_allowed_to_remove_member"
    summary = "only the member themself or the main member can remove a household member"


class UnknownPerson(MembershipRuleViolation):
    code = "unknown_person"
    summary = "no such person in the register"


class UnknownCustomer(MembershipRuleViolation):
    code = "unknown_customer"
    summary = "neither the S-Bank customer reference nor the identity code matches a person"


class PersonAlreadyRegistered(MembershipRuleViolation):
    code = "person_already_registered"
    summary = "a person with this identity code or person id is registered already"


class PersonDeceased(MembershipRuleViolation):
    code = "person_deceased"
    summary = "the person has died"


class AlreadyAMember(MembershipRuleViolation):
    code = "already_a_member"
    summary = "the person has an active membership already"


class NotAMember(MembershipRuleViolation):
    code = "not_a_member"
    summary = "the person has no active membership"


class BenefitAccountRequired(MembershipRuleViolation):
    code = "benefit_account_required"
    summary = "joining needs a benefit payment account"


class ContributionFullyPaid(MembershipRuleViolation):
    code = "contribution_fully_paid"
    summary = "the capital contribution is paid in full already"


class NotMainMember(MembershipRuleViolation):
    code = "not_main_member"
    summary = "only the main member of an active household can do this"


class NotInHousehold(MembershipRuleViolation):
    code = "not_in_household"
    summary = "the person is in no household"


class UnknownInvitation(MembershipRuleViolation):
    code = "unknown_invitation"
    summary = "no such invitation"


class InvitationNotPending(MembershipRuleViolation):
    code = "invitation_not_pending"
    summary = "the invitation was accepted or cancelled already"


class InvitationForAnotherPerson(MembershipRuleViolation):
    code = "invitation_for_another_person"
    summary = "the invitation was made to another person"


class HouseholdDissolved(MembershipRuleViolation):
    code = "household_dissolved"
    summary = "the household has been dissolved"


class SameCooperative(MembershipRuleViolation):
    code = "same_cooperative"
    summary = "the membership is in that cooperative already"


class DuplicateId(MembershipRuleViolation):
    code = "duplicate_id"
    summary = "the id is in use for something else already"


class InvalidPartnerId(MembershipRuleViolation):
    code = "invalid_partner_id"
    summary = "a partner id is 2-32 characters of a-z, 0-9 and '-'"


class InvalidGroupId(MembershipRuleViolation):
    code = "invalid_group_id"
    summary = "a customer group id is 2-32 characters of a-z, 0-9 and '-'"


class InvalidValidity(MembershipRuleViolation):
    code = "invalid_validity"
    summary = "a validity period must end after it starts"


class OverlappingValidity(MembershipRuleViolation):
    code = "overlapping_validity"
    summary = "the validity overlaps another period of the same registration or group"


class NotRegistered(MembershipRuleViolation):
    code = "not_registered"
    summary = "no registration or group membership is in force at that time"


class UnknownHousehold(MembershipRuleViolation):
    code = "unknown_household"
    summary = "no such household in the register"


class NameFromPopulationRegister(MembershipRuleViolation):
    code = "name_from_population_register"
    summary = ("names come only from the population register (Digital and Population Data Services Agency, "
               "DVV): a wrong name is corrected there, and the register is updated from it")


class StaffDataFromHrRegister(MembershipRuleViolation):
    code = "staff_data_from_hr_register"
    summary = ("staff data and the staff-discount right come from S-Group's HR register Hertta: the employer "
               "corrects them there, or the register keeper's staff on the employer's word")


class InvalidChildrenBirthYears(MembershipRuleViolation):
    code = "invalid_children_birth_years"
    summary = "a child's birth year cannot be in the future"


class UnknownEmployment(MembershipRuleViolation):
    code = "unknown_employment"
    summary = "no such employment on record for the person"


class NothingToRectify(MembershipRuleViolation):
    code = "nothing_to_rectify"
    summary = "the rectification names no field to correct"
