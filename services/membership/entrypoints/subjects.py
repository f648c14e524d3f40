"""What the membership service answers on its subject endpoint (contracts/subjects.py): find a person by
customer number or identity code, their part of the register, what the API must know before a change or an
erasure, a command checked by the service's own rules before the API sends it, who belonged to a household in
a month, and the stored tax authority report."""
from __future__ import annotations

from contracts.events.membership import (
    ChangeBenefitAccount,
    EndPartnerRegistration,
    JoinSupporterGroup,
    LeaveSupporterGroup,
    MembershipCommand,
    RectifyPersonalData,
    RegisterCustomer,
    RegisterWithPartner,
    SetHouseholdGroup,
    UpdateContactData,
)
from contracts.subjects import (
    CheckResult,
    CommandCheck,
    FindPerson,
    FoundPerson,
    HouseholdMembers,
    HouseholdMonth,
    Part,
    PartRequest,
    PersonFacts,
    PersonQuery,
    TaxReport,
    TaxReportQuery,
)
from services.membership.application import read_person, rectification
from services.membership.application.base_data import contact_changes
from services.membership.application.config import MembershipConfig
from services.membership.application.retention import relationship_active_now
from services.membership.application.tax_report import read_tax_report
from services.membership.domain.contact import normalise_iban
from services.membership.domain.errors import MembershipRuleViolation
from services.membership.domain.identity_code import is_valid_identity_code
from services.membership.domain.registrations import Validity, check_group_id, check_partner_id
from shared.settings import Settings


def answers(settings: Settings) -> dict:
    config = MembershipConfig.from_settings(settings)

    async def find(conn, query: FindPerson) -> FoundPerson:
        if query.customer_number is not None:
            return FoundPerson(person_id=await read_person.find_by_customer_number(conn, query.customer_number))
        if query.identity_code is not None:
            if not is_valid_identity_code(query.identity_code.upper(), allow_temporary=True):
                return FoundPerson(person_id=None, invalid="identity_code is not a valid personal identity code "
                                                           "(date, century sign or check character)")
            return FoundPerson(person_id=await read_person.find_by_identity_code(conn, query.identity_code.upper(),
                                                                                 config))
        if query.household_id is not None:
            return FoundPerson(person_id=await read_person.find_by_household(conn, query.household_id))
        return FoundPerson(person_id=None)  # a card or member number: the cards service's

    async def part(conn, query: PartRequest) -> Part:
        return Part(sections=await read_person.person_part(conn, query.person_id, config))

    async def facts(conn, query: PersonQuery) -> PersonFacts:
        if not await read_person.exists(conn, query.person_id):
            return PersonFacts(known=False)
        return PersonFacts(known=True, relationship_active=await relationship_active_now(conn, query.person_id),
                           household_key=await read_person.household_command_key(conn, query.person_id,
                                                                                  query.invitation_id))

    async def check(conn, query: CommandCheck) -> CheckResult:
        try:
            check_command(MembershipCommand.model_validate(query.command).root)
        except MembershipRuleViolation as violation:
            return CheckResult(violation=violation.code, message=str(violation))
        return CheckResult()

    async def household_members(conn, query: HouseholdMonth) -> HouseholdMembers:
        known, person_ids = await read_person.household_members_in_month(conn, query.household_id, query.month)
        return HouseholdMembers(known=known, person_ids=person_ids)

    async def tax_report(conn, query: TaxReportQuery) -> TaxReport:
        return TaxReport(report=await read_tax_report(conn, config, query.year))

    return {"find": find, "part": part, "facts": facts, "check": check, "household_members": household_members,
            "tax_report": tax_report}


def check_command(command) -> None:
    """What the command alone decides, by the rules its handler applies; raises the specific violation."""
    if isinstance(command, (RegisterCustomer, UpdateContactData)):
        contact_changes(command)
    if isinstance(command, RectifyPersonalData):
        rectification.check_command(command)
    if isinstance(command, ChangeBenefitAccount):
        normalise_iban(command.benefit_account.iban)
    if isinstance(command, (RegisterWithPartner, JoinSupporterGroup)):
        Validity(command.valid_from, command.valid_to)
    if isinstance(command, (RegisterWithPartner, EndPartnerRegistration)):
        check_partner_id(command.partner_id)
    grouped = isinstance(command, (JoinSupporterGroup, LeaveSupporterGroup, SetHouseholdGroup))
    if grouped and command.group_id is not None:
        check_group_id(command.group_id)
