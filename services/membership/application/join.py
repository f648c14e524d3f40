"""Use case: a customer joins a cooperative — membership with the owner-customer agreement accepted (its terms
version, when and on which channel: where the register's data come from, seed §6), contribution with its
first payment, benefit payment account and a household with the new member as its main member, all or
nothing."""
from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.membership import JoinCooperative
from services.membership.adapters import households, memberships, persons
from services.membership.application import publish
from services.membership.application.benefit_accounts import record_benefit_account
from services.membership.application.config import MembershipConfig
from services.membership.application.customers import locked_person
from services.membership.domain.contact import normalise_iban
from services.membership.domain.contribution import Contribution, PaymentSource
from services.membership.domain.cooperatives import find_cooperative
from services.membership.domain.errors import DuplicateId
from services.membership.domain.household_rules import PersonBelongsToOneHouseholdAtATime
from services.membership.domain.membership import check_can_join
from services.membership.domain.numbers import helsinki_date, member_number, month_start
from shared.db import Connection


async def join_cooperative(conn: Connection, command: JoinCooperative, cause: Envelope,
                           config: MembershipConfig) -> None:
    person = await locked_person(conn, command.person_id)
    cooperative = find_cooperative(config.cooperatives, command.cooperative_id)
    active = await memberships.active_of(conn, command.person_id)
    account = command.benefit_account
    check_can_join(deceased=person["deceased_on"] is not None, has_active_membership=active is not None,
                   has_benefit_account=account is not None)
    assert account is not None  # check_can_join refuses a join without one (BenefitAccountRequired)
    normalise_iban(account.iban)  # an invalid IBAN is refused before anything is written
    current = await households.current_of(conn, command.person_id)
    PersonBelongsToOneHouseholdAtATime(current["household_id"] if current else None).check()
    joined_on = helsinki_date(command.joined_at)
    contribution = Contribution(cooperative.contribution_policy, joined_on)
    contribution.apply_payment(command.first_payment_cents, joined_on)
    await _check_sbank_ref(conn, command)
    await _record_membership(conn, command, contribution, joined_on, config)
    await record_benefit_account(conn, command.person_id, account, command.joined_at, config)
    if not await households.insert(conn, command.household_id, command.person_id, command.membership_id,
                                   command.joined_at, month_start(command.joined_at)):
        raise DuplicateId("household_id")
    await households.add_member(conn, command.household_id, command.person_id, "main_member", "founded",
                                command.joined_at)
    await publish.household(conn, command.household_id, cause)
    await publish.person(conn, command.person_id, cause)


async def _check_sbank_ref(conn: Connection, command: JoinCooperative) -> None:
    ref = command.sbank_customer_ref
    if ref is None:
        return
    holder = await persons.by_sbank_ref(conn, ref)
    if holder not in (None, command.person_id):
        raise DuplicateId("sbank_customer_ref")
    await persons.link_sbank_ref(conn, command.person_id, ref)


async def _record_membership(conn: Connection, command: JoinCooperative, contribution: Contribution, joined_on,
                             config: MembershipConfig) -> None:
    contribution_id = f"contribution:{command.membership_id}"
    policy = contribution.policy
    if not await memberships.insert_contribution(
            conn, contribution_id, command.person_id, full_cents=policy.full_cents,
            minimum_first_payment_cents=policy.minimum_first_payment_cents,
            deadline_months=policy.deadline_months, started_on=joined_on):
        raise DuplicateId("membership_id")
    if not await memberships.insert_membership(
            conn, membership_id=command.membership_id, person_id=command.person_id,
            cooperative_id=command.cooperative_id,
            member_number=member_number(await memberships.next_member_serial(conn)),
            started_at=command.joined_at, joining_outlet=command.joining_outlet, contribution_id=contribution_id):
        raise DuplicateId("membership_id")
    if not await memberships.add_payment(conn, command.first_payment_id, contribution_id, contribution.paid_cents,
                                         PaymentSource.PAYMENT.value, command.joined_at, joined_on,
                                         command.first_payment_cents - contribution.paid_cents):
        raise DuplicateId("first_payment_id")
    await memberships.set_fully_paid(conn, contribution_id, contribution.fully_paid_on)
    agreement = command.agreement
    await memberships.record_agreement(
        conn, command.membership_id,
        agreement.terms_version if agreement and agreement.terms_version else config.agreement_terms_version,
        agreement.accepted_at if agreement else command.joined_at, agreement.channel if agreement else None)
